import type { PeerSignal } from '../../protocol/index.ts';
import type { PeerFactory, PeerFactoryOptions, SimplePeerLike } from '../simple-peer-link.ts';

type Listener = (...args: never[]) => void;

/** How a fake negotiation ends. */
export type FakeOutcome = 'connect' | 'hang' | 'error';

/**
 * In-memory stand-ins for simple-peer: peers created by one {@link FakePeerNetwork} find each
 * other through the offers and answers the agent relays, then exchange messages asynchronously
 * (a microtask later), like a DataChannel. Text stays text; bytes are copied.
 */
export class FakePeerNetwork {
  readonly peers: FakeSimplePeer[] = [];
  private readonly byId = new Map<string, FakeSimplePeer>();
  private readonly outcomes: FakeOutcome[] = [];
  private nextId = 1;

  /** The next `n` negotiations (counted at the answering side) end with `outcome`. */
  failNext(n: number, outcome: Exclude<FakeOutcome, 'connect'> = 'hang'): void {
    for (let i = 0; i < n; i++) this.outcomes.push(outcome);
  }

  /** A {@link PeerFactory} creating peers on this network. */
  readonly factory: PeerFactory = (options: PeerFactoryOptions) => {
    const peer = new FakeSimplePeer(this, `fake-${this.nextId++}`, options);
    this.peers.push(peer);
    this.byId.set(peer.id, peer);
    return peer;
  };

  /** @internal */
  find(id: string): FakeSimplePeer | undefined {
    return this.byId.get(id);
  }

  /** @internal */
  nextOutcome(): FakeOutcome {
    return this.outcomes.shift() ?? 'connect';
  }
}

export class FakeSimplePeer implements SimplePeerLike {
  readonly sent: (string | Uint8Array)[] = [];
  /** Signals fed to this peer, in order. */
  readonly received: PeerSignal[] = [];
  destroyed = false;
  connected = false;
  bufferSize = 0;
  private remote: FakeSimplePeer | undefined;
  private readonly listeners = new Map<string, Listener[]>();

  constructor(
    private readonly network: FakePeerNetwork,
    readonly id: string,
    readonly options: PeerFactoryOptions,
  ) {
    if (options.initiator) later(() => this.emit('signal', { type: 'offer', sdp: `offer ${id}` }));
  }

  on(event: string, listener: Listener): this {
    const list = this.listeners.get(event) ?? [];
    list.push(listener);
    this.listeners.set(event, list);
    return this;
  }

  signal(data: PeerSignal): void {
    if (this.destroyed) throw new Error('cannot signal after peer is destroyed');
    this.received.push(data);
    if (!('type' in data) || data.type === 'candidate') return;
    const otherId = data.sdp.split(' ')[1] ?? '';
    const other = this.network.find(otherId);
    if (!other) return;
    if (data.type === 'offer') {
      const outcome = this.network.nextOutcome();
      if (outcome === 'hang') return;
      if (outcome === 'error') {
        later(() => other.fail(new Error('negotiation failed')));
        return;
      }
      this.remote = other;
      later(() => this.emit('signal', { type: 'answer', sdp: `answer ${this.id}` }));
      later(() =>
        this.emit('signal', { type: 'candidate', candidate: { candidate: 'candidate:1', sdpMid: '0' } }),
      );
    } else {
      this.remote = other;
      later(() => {
        if (this.destroyed || other.destroyed) return;
        this.connected = other.connected = true;
        other.emit('connect');
        this.emit('connect');
      });
    }
  }

  send(data: string | Uint8Array): void {
    if (!this.connected || this.destroyed) throw new Error('not connected');
    this.sent.push(data);
    const copy = typeof data === 'string' ? data : data.slice();
    const remote = this.remote;
    later(() => {
      if (remote && !remote.destroyed) remote.emit('data', copy);
    });
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    const wasConnected = this.connected;
    this.connected = false;
    later(() => this.emit('close'));
    const remote = this.remote;
    if (wasConnected && remote && !remote.destroyed) later(() => remote.destroy());
  }

  private fail(error: Error): void {
    if (this.destroyed) return;
    this.emit('error', error);
    this.destroy();
  }

  private emit(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as (...a: unknown[]) => void)(...args);
  }
}

function later(fn: () => void): void {
  void Promise.resolve().then(fn);
}
