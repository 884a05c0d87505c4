import type { ClientMessage, ServerMessage, SignalingSocketLike } from '@p2pcdn/core';

// Type-only imports above: this module is evaluated before `@p2pcdn/core` (see `early-start.ts`).

/** The requests a watching page makes first, whatever else happens. */
export interface PrimedRequests {
  hello: Extract<ClientMessage, { type: 'hello' }>;
  join: Extract<ClientMessage, { type: 'join' }>;
}

/** The socket underneath: socket.io-client's (what core's signalling channel takes). */
export type RawSocket = SignalingSocketLike;

type Request = keyof PrimedRequests;
type Ack = Parameters<SignalingSocketLike['emit']>[2];

/** What arrived before the agent was there to take it, in arrival order. */
type Entry = { kind: 'msg'; msg: unknown } | { kind: 'ack'; request: Request; res: unknown };

/** Entries kept for an agent that has not started; a page that never starts one closes the socket. */
const MAX_ENTRIES = 1000;

/**
 * The coordinator socket with the page's first two requests already made. The early start sends
 * `hello` and then `join`, built from the URL alone, as soon as the socket connects, so their
 * round trips (and the parent assignment that follows the join) travel while the rest of the
 * page's code is evaluated (60–100 ms on this machine's cores) instead of one after the other
 * after it.
 *
 * Everything that arrives meanwhile is kept in order (acks and server messages interleaved as they
 * came) and replayed when the agent starts: its `hello` and `join` are not sent again but receive
 * the acks already here (or still on their way), and server messages reach its listeners in the
 * order they would have. Requests that differ from the primed ones, and everything once the
 * priming is used up, go straight to the socket. If the connection drops before the agent took
 * both, the rest of the priming is void (the coordinator forgot this node): the agent's own
 * requests then go out on the new connection. Server messages are not validated here: the agent's
 * signalling channel validates every one, replayed or not.
 */
export class PrimedSignalingSocket implements SignalingSocketLike {
  private readonly entries: Entry[] = [];
  private readonly listeners = new Set<(msg: ServerMessage) => void>();
  /** The agent's ack callbacks for the primed requests it made. */
  private readonly claimed = new Map<Request, Ack>();
  /** Primed requests whose acks will not come (sent on a connection that dropped, or never sent). */
  private readonly voided = new Set<Request>();
  private pumping = false;
  private again = false;

  constructor(
    private readonly socket: RawSocket,
    readonly requests: PrimedRequests,
  ) {
    socket.on('msg', this.onMessage);
    socket.on('disconnect', this.onDrop);
    // Back to back, without waiting for the welcome: the coordinator handles a socket's messages
    // in order, so the join follows a successful hello (and is refused, changing nothing, after
    // a refused one). Both leave as soon as the socket connects.
    socket.emit('msg', requests.hello, (res) => this.record({ kind: 'ack', request: 'hello', res }));
    socket.emit('msg', requests.join, (res) => this.record({ kind: 'ack', request: 'join', res }));
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  emit(event: 'msg', msg: ClientMessage, ack: Ack): this {
    const request = this.claimable(msg);
    if (request) {
      this.claimed.set(request, ack);
      // Asynchronously, like a socket's ack: the caller finishes its own bookkeeping first.
      queueMicrotask(() => this.pump());
    } else {
      this.socket.emit(event, msg, ack);
    }
    return this;
  }

  on(event: 'msg', listener: (msg: ServerMessage) => void): this;
  on(event: 'connect', listener: () => void): this;
  on(event: 'disconnect', listener: (reason: string) => void): this;
  on(event: 'msg' | 'connect' | 'disconnect', listener: (arg: never) => void): this {
    if (event === 'msg') {
      this.listeners.add(listener as (msg: ServerMessage) => void);
      queueMicrotask(() => this.pump());
    } else {
      this.socket.on(event as 'connect', listener as () => void);
    }
    return this;
  }

  off(event: 'msg', listener: (msg: ServerMessage) => void): this;
  off(event: 'connect', listener: () => void): this;
  off(event: 'disconnect', listener: (reason: string) => void): this;
  off(event: 'msg' | 'connect' | 'disconnect', listener: (arg: never) => void): this {
    if (event === 'msg') this.listeners.delete(listener as (msg: ServerMessage) => void);
    else this.socket.off(event as 'connect', listener as () => void);
    return this;
  }

  /** Which primed request `msg` is, if it may take that request's ack. */
  private claimable(msg: ClientMessage): Request | undefined {
    if (msg.type !== 'hello' && msg.type !== 'join') return undefined;
    const request: Request = msg.type;
    if (this.claimed.has(request) || this.voided.has(request)) return undefined;
    if (request === 'join' && !this.claimed.has('hello')) return undefined;
    return sameJson(msg, this.requests[request]) ? request : undefined;
  }

  private readonly onMessage = (msg: ServerMessage): void => this.record({ kind: 'msg', msg });

  private readonly onDrop = (): void => {
    for (const request of ['hello', 'join'] as const) {
      if (this.claimed.has(request)) continue;
      this.voided.add(request);
      const at = this.entries.findIndex((e) => e.kind === 'ack' && e.request === request);
      if (at >= 0) this.entries.splice(at, 1);
    }
    this.pump();
  };

  private record(entry: Entry): void {
    if (this.entries.length >= MAX_ENTRIES) return;
    this.entries.push(entry);
    this.pump();
  }

  /**
   * Delivers entries in order while their taker is there; stops at the first that has none. After
   * an ack the rest waits for a task: a socket delivers each packet in a task of its own, so the
   * agent's code after the awaited request runs before the next message, as it would have.
   */
  private pump(): void {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    let yielded = false;
    try {
      do {
        this.again = false;
        for (let head = this.entries[0]; head && !yielded; head = this.entries[0]) {
          if (head.kind === 'msg') {
            if (this.listeners.size === 0) break;
            this.entries.shift();
            for (const listener of [...this.listeners]) listener(head.msg as ServerMessage);
          } else {
            const ack = this.claimed.get(head.request);
            if (!ack) break;
            this.entries.shift();
            ack(head.res as Parameters<Ack>[0]);
            yielded = this.entries.length > 0;
          }
        }
      } while (this.again && !yielded);
    } finally {
      this.pumping = false;
    }
    if (yielded) setTimeout(() => this.pump(), 0);
  }
}

/** Structural equality of two JSON-shaped values (key order ignored). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) =>
      Object.hasOwn(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}
