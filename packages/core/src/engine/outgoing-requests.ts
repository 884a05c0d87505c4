import {
  segmentKey,
  type DataFrame,
  type PeerMessage,
  type SegmentKey,
  type SegmentRef,
} from '../protocol/index.ts';
import type { CancelToken, Clock, TimerHandle } from './types.ts';

type DataStart = Extract<PeerMessage, { type: 'data-start' }>;
type Miss = Extract<PeerMessage, { type: 'miss' }>;

/** Why a request to a parent ended without data. */
export type RequestFailure =
  /** The parent answered `miss`. */
  | 'miss'
  /** The link closed before the segment was complete. */
  | 'closed'
  /** Nothing arrived for the stall timeout. */
  | 'stalled'
  /** The caller's token was cancelled. */
  | 'cancelled'
  /** The parent sent frames that break the protocol; the request was abandoned. */
  | 'bad-data'
  /** The request could not be sent. */
  | 'send-failed';

/** How long a request may go without progress before it is abandoned. */
export interface RequestTimeouts {
  /** From sending the request to `data-start` (the parent may fetch through first), ms. */
  firstByteTimeoutMs: number;
  /** Between frames once data flows, ms. */
  stallTimeoutMs: number;
}

/**
 * Watches a transfer while it arrives, for forwarding it onwards before it is complete. The
 * buffer is the one the outcome's `data` will be: bytes below `received` are final.
 */
export interface TransferObserver {
  /** `data-start` came: `buffer` (the announced size, not yet filled) receives the frames. */
  onStart(buffer: Uint8Array): void;
  /** Bytes up to `received` are in the buffer. */
  onProgress(received: number): void;
}

/** Options of one request: its timeouts, cancellation, and an optional transfer observer. */
export interface RequestOptions extends RequestTimeouts {
  cancel: CancelToken;
  observer?: TransferObserver | undefined;
}

/** How one request to one parent ended. */
export type RequestOutcome =
  { ok: true; data: Uint8Array; elapsedMs: number } | { ok: false; reason: RequestFailure; detail: string };

/** What {@link OutgoingRequests} needs from its link session. */
export interface OutgoingRequestsDeps {
  clock: Clock;
  /** Sends a control message on the link; false if the link is gone. */
  send(msg: PeerMessage): boolean;
  /** Reports a protocol violation by the parent. */
  onBadFrame(reason: string): void;
}

interface Pending {
  id: number;
  key: SegmentKey;
  segment: SegmentRef;
  startedAt: number;
  timeouts: RequestTimeouts;
  /** Announced by `data-start`; undefined until then. */
  size: number | undefined;
  buffer: Uint8Array | undefined;
  received: number;
  observer: TransferObserver | undefined;
  timer: TimerHandle | undefined;
  settle: (outcome: RequestOutcome) => void;
}

/** Ids we abandoned recently: the parent may still have frames for them in flight. */
const ABANDONED_MEMORY = 64;
const MAX_REQUEST_ID = 0xffff_ffff;

/**
 * The requests this node has sent on one link (this node is the child): matches `data-start`,
 * binary frames and `miss` to them, and refuses anything that does not fit — unknown ids, frames
 * before `data-start`, gaps, overlaps and bytes beyond the announced size — without letting it
 * touch any other request's state.
 */
export class OutgoingRequests {
  private readonly pending = new Map<number, Pending>();
  private readonly abandoned = new Set<number>();
  private nextId = 1;

  constructor(private readonly deps: OutgoingRequestsDeps) {}

  /** Requests in flight. */
  get size(): number {
    return this.pending.size;
  }

  /** Whether a request for `key` is in flight on this link. */
  hasKey(key: SegmentKey): boolean {
    for (const p of this.pending.values()) if (p.key === key) return true;
    return false;
  }

  /** Sends `request` and resolves when the segment is complete or the request failed; never rejects. */
  request(segment: SegmentRef, opts: RequestOptions): Promise<RequestOutcome> {
    if (opts.cancel.cancelled) return Promise.resolve(failure('cancelled', 'cancelled before sending'));
    const id = this.takeId();
    return new Promise<RequestOutcome>((resolve) => {
      const p: Pending = {
        id,
        key: segmentKey(segment),
        segment,
        startedAt: this.deps.clock.now(),
        timeouts: { firstByteTimeoutMs: opts.firstByteTimeoutMs, stallTimeoutMs: opts.stallTimeoutMs },
        size: undefined,
        buffer: undefined,
        received: 0,
        observer: opts.observer,
        timer: undefined,
        settle: resolve,
      };
      this.pending.set(id, p);
      if (!this.deps.send({ type: 'request', id, segment })) {
        this.finish(p, failure('send-failed', 'link refused the request'));
        return;
      }
      // The send may have closed the link synchronously and failed every request already.
      if (!this.pending.has(id)) return;
      this.armStallTimer(p);
      opts.cancel.onCancel(() => this.abandon(id, 'cancelled', 'cancelled by caller'));
    });
  }

  onDataStart(msg: DataStart): void {
    const p = this.lookup(msg.id, 'data-start');
    if (!p) return;
    if (p.size !== undefined) return this.violation(p, `second data-start for request ${msg.id}`);
    const range = p.segment.range;
    if (range && msg.size !== range.end - range.start) {
      return this.violation(
        p,
        `data-start size ${msg.size} does not match range of ${range.end - range.start}`,
      );
    }
    p.size = msg.size;
    if (msg.size === 0) return this.complete(p, new Uint8Array(0));
    p.buffer = new Uint8Array(msg.size);
    this.armStallTimer(p);
    p.observer?.onStart(p.buffer);
  }

  onMiss(msg: Miss): void {
    const p = this.lookup(msg.id, 'miss');
    if (p) this.finish(p, failure('miss', msg.reason));
  }

  onFrame(frame: DataFrame): void {
    const p = this.lookup(frame.id, 'data frame');
    if (!p) return;
    const length = frame.payload.byteLength;
    if (p.size === undefined || !p.buffer) return this.violation(p, `data frame before data-start (${p.id})`);
    if (length === 0) return this.violation(p, `empty data frame (${p.id})`);
    if (frame.offset !== p.received) {
      return this.violation(p, `data frame at offset ${frame.offset}, expected ${p.received} (${p.id})`);
    }
    if (frame.offset + length > p.size) {
      return this.violation(
        p,
        `data frame runs to byte ${frame.offset + length} of ${p.size} announced (${p.id})`,
      );
    }
    p.buffer.set(frame.payload, frame.offset);
    p.received += length;
    p.observer?.onProgress(p.received);
    // The observer may have abandoned the request (e.g. cancelled it) meanwhile.
    if (this.pending.get(p.id) !== p) return;
    if (p.received === p.size) return this.complete(p, p.buffer);
    this.armStallTimer(p);
  }

  /** Ends every request with `reason` (the link closed). */
  failAll(reason: RequestFailure, detail: string): void {
    for (const p of [...this.pending.values()]) this.finish(p, failure(reason, detail));
  }

  private lookup(id: number, what: string): Pending | undefined {
    const p = this.pending.get(id);
    if (p) return p;
    // Late frames for a request we gave up on are expected; anything else is the parent's fault.
    if (!this.abandoned.has(id)) this.deps.onBadFrame(`${what} for unknown request ${id}`);
    return undefined;
  }

  private violation(p: Pending, reason: string): void {
    this.deps.onBadFrame(reason);
    this.abandon(p.id, 'bad-data', reason);
  }

  /** Gives up on a request, telling the parent to stop, and tolerates its late frames. */
  private abandon(id: number, reason: RequestFailure, detail: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.remember(id);
    this.finish(p, failure(reason, detail));
    this.deps.send({ type: 'cancel', id });
  }

  private complete(p: Pending, data: Uint8Array): void {
    this.finish(p, { ok: true, data, elapsedMs: this.deps.clock.now() - p.startedAt });
  }

  private finish(p: Pending, outcome: RequestOutcome): void {
    if (this.pending.get(p.id) !== p) return;
    this.pending.delete(p.id);
    if (p.timer !== undefined) this.deps.clock.clearTimeout(p.timer);
    p.timer = undefined;
    p.buffer = undefined;
    p.settle(outcome);
  }

  private armStallTimer(p: Pending): void {
    if (p.timer !== undefined) this.deps.clock.clearTimeout(p.timer);
    // Until data-start the parent may be fetching the segment itself, which takes longer.
    const ms = p.size === undefined ? p.timeouts.firstByteTimeoutMs : p.timeouts.stallTimeoutMs;
    p.timer = this.deps.clock.setTimeout(() => {
      p.timer = undefined;
      this.abandon(p.id, 'stalled', `nothing for ${ms} ms`);
    }, ms);
  }

  private remember(id: number): void {
    this.abandoned.add(id);
    if (this.abandoned.size > ABANDONED_MEMORY) {
      const oldest = this.abandoned.values().next();
      if (!oldest.done) this.abandoned.delete(oldest.value);
    }
  }

  private takeId(): number {
    let id = this.nextId;
    // Skip ids still in use after a wrap-around (only after four billion requests on one link).
    while (this.pending.has(id)) id = id >= MAX_REQUEST_ID ? 1 : id + 1;
    this.nextId = id >= MAX_REQUEST_ID ? 1 : id + 1;
    return id;
  }
}

function failure(reason: RequestFailure, detail: string): RequestOutcome {
  return { ok: false, reason, detail };
}
