import type { IceServer, SimplePeerLike } from '@p2pcdn/core';

/** The part of a simple-peer instance a warm offer needs beyond what the agent uses. */
export interface WarmablePeer extends SimplePeerLike {
  readonly destroyed: boolean;
}

/** How a {@link WarmOffer} makes peers and tells time. */
export interface WarmOfferOptions {
  /** Creates an offering (initiator) peer with these ICE servers. */
  create: (iceServers: readonly IceServer[]) => WarmablePeer;
  now: () => number;
  /** Schedules the next spare (after one was taken), so it is made off the start's critical path. */
  later: (run: () => void) => void;
  /** A spare older than this is not handed out (its offer would be stale), ms. */
  maxAgeMs?: number;
}

const DEFAULT_MAX_AGE_MS = 5 * 60_000;

interface Spare {
  peer: WarmablePeer;
  key: string;
  createdAt: number;
  /** What the peer signalled that no listener has received yet, in order. */
  buffered: unknown[];
  /** Where the peer's signals go once the spare is taken and its listeners are attached. */
  deliver: ((data: unknown) => void) | undefined;
  failed: boolean;
}

/**
 * One offering connection made before the tab knows whom it will connect to. A child's offer
 * names no parent: its ICE credentials, DTLS fingerprint and host candidates are the same
 * whichever parent receives it. So once the coordinator's ICE servers are known (the welcome),
 * the connection, its DataChannel, the offer and the local description are made while the join
 * is answered, and the first parent assignment sends the ready offer at once instead of waiting
 * 20–50 ms for `createOffer`, `setLocalDescription` and candidate gathering on a main thread that
 * is busy starting hls.js. After a spare is taken another one is made (for the next parent: a
 * second stripe, or a parent that fails); a spare for other ICE servers, a failed one or an old
 * one is never handed out.
 */
export class WarmOffer {
  private spare: Spare | undefined;
  private iceServers: readonly IceServer[] | undefined;
  private disposed = false;

  constructor(private readonly options: WarmOfferOptions) {}

  /** Makes a spare for `iceServers` now (replacing one made for others). */
  prepare(iceServers: readonly IceServer[]): void {
    if (this.disposed) return;
    this.iceServers = iceServers;
    const key = JSON.stringify(iceServers);
    if (this.spare && this.spare.key === key && !this.spare.failed) return;
    this.discard();
    const peer = this.options.create(iceServers);
    const spare: Spare = {
      peer,
      key,
      createdAt: this.options.now(),
      buffered: [],
      deliver: undefined,
      failed: false,
    };
    peer.on('signal', (data) => (spare.deliver ? spare.deliver(data) : spare.buffered.push(data)));
    const fail = (): void => {
      spare.failed = true;
      if (this.spare === spare) this.spare = undefined;
    };
    peer.on('error', fail);
    peer.on('close', fail);
    this.spare = spare;
  }

  /**
   * The spare, if one made for exactly these ICE servers is ready, as a peer whose `signal`
   * listeners first receive what it signalled so far (in a microtask, after the caller attached
   * its listeners); otherwise undefined and the caller makes its own.
   */
  take(iceServers: readonly IceServer[]): SimplePeerLike | undefined {
    const spare = this.spare;
    if (!spare) return undefined;
    this.spare = undefined;
    const usable =
      !spare.failed &&
      !spare.peer.destroyed &&
      spare.key === JSON.stringify(iceServers) &&
      this.options.now() - spare.createdAt <= (this.options.maxAgeMs ?? DEFAULT_MAX_AGE_MS);
    if (!usable) {
      spare.peer.destroy();
      return undefined;
    }
    this.options.later(() => {
      if (this.iceServers) this.prepare(this.iceServers);
    });
    return adopt(spare);
  }

  /** Destroys the spare; no more are made. */
  dispose(): void {
    this.disposed = true;
    this.discard();
  }

  private discard(): void {
    this.spare?.peer.destroy();
    this.spare = undefined;
  }
}

/**
 * The spare's peer with `signal` listeners that get what it signalled so far first: that is
 * delivered once, in a microtask, to the listeners attached by then, and what it emits later
 * follows in order.
 */
function adopt(spare: Spare): SimplePeerLike {
  const { peer } = spare;
  const listeners: ((data: unknown) => void)[] = [];
  const deliver = (data: unknown): void => {
    for (const listener of listeners) listener(data);
  };
  queueMicrotask(() => {
    for (const data of spare.buffered.splice(0)) deliver(data);
    spare.deliver = deliver;
  });
  const facade: SimplePeerLike = {
    on(event: string, listener: (...args: never[]) => void) {
      if (event === 'signal') listeners.push(listener as (data: unknown) => void);
      else peer.on(event as 'connect', listener as () => void);
      return facade;
    },
    signal: (data) => peer.signal(data),
    send: (data) => peer.send(data),
    destroy: (error) => peer.destroy(error),
    get bufferSize() {
      return peer.bufferSize;
    },
    get _channel() {
      return peer._channel ?? null;
    },
  };
  return facade;
}
