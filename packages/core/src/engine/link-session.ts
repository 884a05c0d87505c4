import {
  BLOCK_FRAME_KIND,
  assertNever,
  decodeBlockFrame,
  decodeDataFrame,
  encodeBlockFrame,
  encodeDataFrame,
  encodePeerMessage,
  encodeStripeMessage,
  parsePeerWireMessage,
  type BlockFrame,
  type NodeId,
  type PeerMessage,
  type PeerWireMessage,
  type SegmentRef,
  type StreamId,
  type StripeMessage,
} from '../protocol/index.ts';
import { OutgoingRequests, type RequestOptions, type RequestOutcome } from './outgoing-requests.ts';
import type { UploadTarget } from './upload-scheduler.ts';
import type { Clock, LinkRole, Logger, PeerLink, TimerHandle } from './types.ts';

type RequestMessage = Extract<PeerMessage, { type: 'request' }>;

/** What a session hands up to the engine. */
export interface LinkSessionHooks {
  /** A child asked for a segment. */
  onRequest(session: LinkSession, msg: RequestMessage): void;
  /** A child abandoned request `id`. */
  onCancel(session: LinkSession, id: number): void;
  /** The peer broke the protocol; `reason` says how. */
  onBadFrame(session: LinkSession, reason: string): void;
  /** Sending failed: the link is unusable and should be dropped. */
  onBroken(session: LinkSession, reason: string): void;
  /** A striped-pull message (either direction: the peer as receiver or as source). */
  onStripe(session: LinkSession, msg: StripeMessage): void;
  /** A block frame of a striped pull this node subscribed to. */
  onBlock(session: LinkSession, frame: BlockFrame): void;
}

/** Settings of one {@link LinkSession}. */
export interface LinkSessionOptions {
  link: PeerLink;
  /** This node's id, announced in `hello`. */
  localId: NodeId;
  clock: Clock;
  /** Interval between pings for RTT; 0 disables pinging. */
  pingIntervalMs: number;
  hooks: LinkSessionHooks;
  log: Logger;
}

/** Pings a well-behaved peer sends are seconds apart; faster ones are a flood. */
const MIN_PING_GAP_MS = 200;
/** Unanswered pings remembered for RTT (older ones are forgotten). */
const MAX_OUTSTANDING_PINGS = 8;
/** Weight of a new sample in the smoothed RTT and throughput. */
const SMOOTHING = 0.3;
/** Smaller transfers measure latency rather than throughput, so they are not sampled. */
const MIN_THROUGHPUT_SAMPLE_BYTES = 64 * 1024;

/**
 * One {@link PeerLink} as the engine runs it: frames in and out with byte counters, `hello`,
 * ping/pong RTT, the requests this node sent on it, and the streams (and roles) it serves.
 * Input from the peer is parsed defensively; problems go to `hooks.onBadFrame`, never throw.
 */
export class LinkSession implements UploadTarget {
  readonly peerId: NodeId;
  /** Streams this link carries, and which side of the edge the peer is on in each. */
  readonly streams = new Map<StreamId, LinkRole>();
  bytesIn = 0;
  bytesOut = 0;
  /** Smoothed round-trip time in ms, once a pong came back. */
  rttMs: number | undefined;
  /** Smoothed download throughput from this peer in bytes per ms, once a transfer completed. */
  throughput: number | undefined;
  /** Failed requests since the last success; ranks an unreliable parent lower. */
  consecutiveFailures = 0;
  private closedFlag = false;
  private helloSeen = false;
  private lastPingInAt = Number.NEGATIVE_INFINITY;
  private nextNonce = 1;
  private readonly pings = new Map<number, number>();
  private pingTimer: TimerHandle | undefined;
  private readonly outgoing: OutgoingRequests;

  constructor(private readonly options: LinkSessionOptions) {
    this.peerId = options.link.peerId;
    this.outgoing = new OutgoingRequests({
      clock: options.clock,
      send: (msg) => this.sendControl(msg),
      onBadFrame: (reason) => options.hooks.onBadFrame(this, reason),
    });
  }

  get link(): PeerLink {
    return this.options.link;
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Requests this node has in flight on the link. */
  get pendingRequests(): number {
    return this.outgoing.size;
  }

  /** Says hello and starts pinging. */
  open(): void {
    this.sendControl({ type: 'hello', nodeId: this.options.localId });
    if (this.options.pingIntervalMs > 0) this.ping();
  }

  /** Stops timers and fails pending requests; the caller closes the link itself. */
  dispose(reason: string): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    if (this.pingTimer !== undefined) this.options.clock.clearTimeout(this.pingTimer);
    this.pingTimer = undefined;
    this.outgoing.failAll('closed', reason);
  }

  /** Asks the peer (a parent) for a segment. Never rejects. */
  request(segment: SegmentRef, opts: RequestOptions): Promise<RequestOutcome> {
    return this.outgoing.request(segment, opts);
  }

  /** Whether this node is already asking this peer for `key` (fetch loops are avoided with it). */
  isRequesting(key: string): boolean {
    return this.outgoing.hasKey(key);
  }

  /** Records how a transfer from this peer went, for ranking parents. */
  recordOutcome(outcome: RequestOutcome): void {
    if (!outcome.ok) {
      if (outcome.reason !== 'cancelled') this.consecutiveFailures++;
      return;
    }
    this.consecutiveFailures = 0;
    if (outcome.data.byteLength < MIN_THROUGHPUT_SAMPLE_BYTES) return;
    const sample = outcome.data.byteLength / Math.max(1, outcome.elapsedMs);
    this.throughput = this.throughput === undefined ? sample : smooth(this.throughput, sample);
  }

  sendControl(msg: PeerMessage): boolean {
    return this.sendRaw(encodePeerMessage(msg));
  }

  sendData(id: number, offset: number, payload: Uint8Array): boolean {
    return this.sendRaw(encodeDataFrame({ id, offset, payload }));
  }

  sendStripe(msg: StripeMessage): boolean {
    return this.sendRaw(encodeStripeMessage(msg));
  }

  sendBlock(sub: number, seq: number, payload: Uint8Array): boolean {
    return this.sendRaw(encodeBlockFrame({ sub, seq, payload }));
  }

  bufferedAmount(): number {
    if (this.closedFlag) return 0;
    try {
      return this.options.link.bufferedAmount();
    } catch {
      return 0;
    }
  }

  /** Entry point for every frame from the peer. */
  receive(data: string | Uint8Array): void {
    if (this.closedFlag) return;
    try {
      if (typeof data === 'string') {
        this.bytesIn += data.length;
        const parsed = parsePeerWireMessage(data);
        if (!parsed.ok) return this.bad(`bad control frame: ${parsed.error.message}`);
        this.dispatch(parsed.value);
      } else if (data instanceof Uint8Array) {
        this.bytesIn += data.byteLength;
        if (data[0] === BLOCK_FRAME_KIND) {
          const block = decodeBlockFrame(data);
          if (!block.ok) return this.bad(`bad block frame: ${block.error.message}`);
          return this.options.hooks.onBlock(this, block.value);
        }
        const frame = decodeDataFrame(data);
        if (!frame.ok) return this.bad(`bad binary frame: ${frame.error.message}`);
        this.outgoing.onFrame(frame.value);
      } else {
        this.bad('frame is neither text nor bytes');
      }
    } catch (err) {
      // A bug of ours, not the peer's: log it and keep the link.
      this.options.log('link %s: error handling a frame: %O', this.peerId, err);
    }
  }

  private dispatch(msg: PeerWireMessage): void {
    switch (msg.type) {
      case 'hello':
        if (this.helloSeen) return this.bad('second hello');
        this.helloSeen = true;
        if (msg.nodeId !== this.peerId) this.bad(`hello from ${msg.nodeId} on the link to ${this.peerId}`);
        return;
      case 'request':
        return this.options.hooks.onRequest(this, msg);
      case 'cancel':
        return this.options.hooks.onCancel(this, msg.id);
      case 'data-start':
        return this.outgoing.onDataStart(msg);
      case 'miss':
        return this.outgoing.onMiss(msg);
      case 'ping':
        return this.answerPing(msg.nonce);
      case 'pong':
        return this.takePong(msg.nonce);
      case 'pattern':
      case 'stripe-segment':
      case 'stripe-have':
      case 'stripe-miss':
      case 'block-request':
      case 'stripe-cancel':
      case 'stripe-close':
      case 'probe':
      case 'probe-reply':
        return this.options.hooks.onStripe(this, msg);
      default:
        return assertNever(msg, 'peer message');
    }
  }

  private answerPing(nonce: number): void {
    const now = this.options.clock.now();
    if (now - this.lastPingInAt < MIN_PING_GAP_MS) return this.bad('ping flood');
    this.lastPingInAt = now;
    this.sendControl({ type: 'pong', nonce });
  }

  private takePong(nonce: number): void {
    const sentAt = this.pings.get(nonce);
    // A pong for a ping we forgot (or never sent) is ignored: it carries no harm and no RTT.
    if (sentAt === undefined) return;
    this.pings.delete(nonce);
    const sample = this.options.clock.now() - sentAt;
    this.rttMs = this.rttMs === undefined ? sample : smooth(this.rttMs, sample);
  }

  private ping(): void {
    this.pingTimer = undefined;
    if (this.closedFlag) return;
    const nonce = this.nextNonce++;
    this.pings.set(nonce, this.options.clock.now());
    if (this.pings.size > MAX_OUTSTANDING_PINGS) {
      const oldest = this.pings.keys().next();
      if (!oldest.done) this.pings.delete(oldest.value);
    }
    this.sendControl({ type: 'ping', nonce });
    if (this.closedFlag) return;
    this.pingTimer = this.options.clock.setTimeout(() => this.ping(), this.options.pingIntervalMs);
  }

  private sendRaw(frame: string | Uint8Array): boolean {
    if (this.closedFlag) return false;
    try {
      this.options.link.send(frame);
    } catch (err) {
      const reason = `send failed: ${err instanceof Error ? err.message : String(err)}`;
      this.options.log('link %s: %s', this.peerId, reason);
      this.options.hooks.onBroken(this, reason);
      return false;
    }
    this.bytesOut += typeof frame === 'string' ? frame.length : frame.byteLength;
    return true;
  }

  private bad(reason: string): void {
    this.options.hooks.onBadFrame(this, reason);
  }
}

function smooth(previous: number, sample: number): number {
  return previous + SMOOTHING * (sample - previous);
}
