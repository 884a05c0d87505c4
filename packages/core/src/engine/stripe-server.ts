import {
  MAX_SEGMENT_BYTES,
  segmentKey,
  type NodeId,
  type SegmentRef,
  type StreamId,
  type StripeMessage,
} from '../protocol/index.ts';
import { StripeSchedule } from '../stripe/scheduler.ts';
import { decodePattern } from '../stripe/letters.ts';
import { StripeError } from '../stripe/errors.ts';
import type { SegmentStore } from '../store/segment-store.ts';
import { createCancelSource, type CancelSource } from './cancel.ts';
import type { FetchThroughResult } from './child-server.ts';
import type { LinkSession } from './link-session.ts';
import type { LiveSegment } from './live-segment.ts';
import { BlockCursor } from './block-cursor.ts';
import type { UploadJob, UploadScheduler } from './upload-scheduler.ts';
import type { CancelToken, Clock, Logger } from './types.ts';

type Msg<T extends StripeMessage['type']> = Extract<StripeMessage, { type: T }>;
type MissReason = Msg<'stripe-miss'>['reason'];

/** What the stripe server needs from the engine. */
export interface StripeServerDeps {
  clock: Clock;
  store: SegmentStore;
  scheduler: UploadScheduler;
  /**
   * Finds a segment upstream for a receiver, as for a whole-segment request. With `via`, only
   * that parent is asked (route mode: this node routes another node's blocks).
   */
  fetchThrough(
    segment: SegmentRef,
    requester: LinkSession,
    cancel: CancelToken,
    via?: NodeId,
  ): Promise<FetchThroughResult>;
  onBadFrame(session: LinkSession, reason: string): void;
  /** Counts segment bytes sent to children, per stream. */
  onUploaded(streamId: StreamId, bytes: number): void;
  log: Logger;
}

/** Subscriptions one receiver may hold on one link. */
const MAX_SUBSCRIPTIONS_PER_LINK = 8;
/** Segments one subscription may have in flight at once; more are answered `busy`. */
const MAX_SEGMENTS_PER_SUBSCRIPTION = 16;
/** Probes a well-behaved receiver sends are far apart; faster ones are a flood. */
const MIN_PROBE_GAP_MS = 100;

/** One segment of a subscription being sent: its pattern blocks and any re-requested ones. */
interface ServedSegment {
  readonly baseSeq: number;
  readonly key: string;
  fetch: CancelSource | undefined;
  unobserve: (() => void) | undefined;
  readonly jobs: Set<UploadJob>;
  /** Bytes once known (held or arriving). */
  source: { data: Uint8Array; live: LiveSegment | undefined } | undefined;
  /** Block requests that came before the bytes were at hand. */
  readonly queued: Msg<'block-request'>[];
  blockBytes: number;
  /** Set once `stripe-segment` asked for its pattern blocks, so a repeat is refused. */
  patternJob: boolean;
  /** The size the receiver expects, from its manifest. */
  expectedSize: number | undefined;
}

interface Subscription {
  readonly session: LinkSession;
  readonly sub: number;
  readonly streamId: StreamId;
  schedule: StripeSchedule;
  letter: string;
  upstream: NodeId | undefined;
  readonly segments: Map<number, ServedSegment>;
  /**
   * Segments whose pattern blocks are to be sent, in the order they were asked for. Their
   * pattern blocks go out one segment after the other, so each source's blocks reach the
   * receiver in sequence order (one ordered stream per source, as in the document): a block it
   * passed over is then known to be skipped, not late.
   */
  readonly patternQueue: ServedSegment[];
  /** The segment whose pattern blocks are being sent. */
  patternJob: UploadJob | undefined;
}

/**
 * The source side of striped pulls (seed 002): a receiver subscribes with a `pattern`, names
 * each segment it wants with its `baseSeq`, and this node sends exactly the blocks whose slot
 * in the pattern carries its letter, as block frames tagged with their sequence numbers, as
 * soon as it has them (from the store, or cut through while they arrive from its own parents).
 * `block-request`s add blocks whatever the pattern says. Uploads share the engine's scheduler
 * (its cap and backpressure) with whole-segment uploads.
 */
export class StripeServer {
  private readonly subs = new Map<LinkSession, Map<number, Subscription>>();
  private readonly lastProbeAt = new Map<LinkSession, number>();

  constructor(private readonly deps: StripeServerDeps) {}

  /** Whether a receiver on `session` is waiting for `key` (it must not be asked for it). */
  isServing(session: LinkSession, key: string): boolean {
    for (const sub of this.subs.get(session)?.values() ?? []) {
      for (const served of sub.segments.values()) if (served.key === key) return true;
    }
    return false;
  }

  /** Handles a receiver's message; answers to this node's own pulls are not for it. */
  handle(session: LinkSession, msg: StripeMessage): void {
    switch (msg.type) {
      case 'pattern':
        return this.onPattern(session, msg);
      case 'stripe-segment':
        return this.onSegment(session, msg);
      case 'block-request':
        return this.onBlockRequest(session, msg);
      case 'stripe-cancel':
        return this.onCancel(session, msg);
      case 'stripe-close':
        return this.onClose(session, msg.sub);
      case 'probe':
        return this.onProbe(session, msg);
      case 'stripe-have':
      case 'stripe-miss':
      case 'probe-reply':
        return;
    }
  }

  /** Forgets every subscription of a closed link, stopping its fetches and uploads. */
  dropSession(session: LinkSession): void {
    for (const sub of this.subs.get(session)?.values() ?? []) this.stopSubscription(sub);
    this.subs.delete(session);
    this.lastProbeAt.delete(session);
  }

  private onPattern(session: LinkSession, msg: Msg<'pattern'>): void {
    if (session.streams.get(msg.streamId) !== 'child') {
      return this.deps.onBadFrame(session, `pattern for ${msg.streamId}, which it does not pull from us`);
    }
    let epoch;
    try {
      epoch = { epoch: msg.epoch, startSeq: msg.startSeq, pattern: decodePattern(msg.pattern) };
    } catch (err) {
      return this.deps.onBadFrame(session, `bad pattern: ${(err as Error).message}`);
    }
    let subs = this.subs.get(session);
    const existing = subs?.get(msg.sub);
    if (existing) {
      if (existing.streamId !== msg.streamId) {
        return this.deps.onBadFrame(session, `subscription ${msg.sub} moved to another stream`);
      }
      try {
        existing.schedule.apply(epoch);
      } catch (err) {
        // The document: an older or equal epoch is ignored.
        if (err instanceof StripeError && err.kind === 'stale-epoch') return;
        throw err;
      }
      existing.letter = msg.letter;
      existing.upstream = msg.upstream;
      let oldest = msg.startSeq;
      for (const baseSeq of existing.segments.keys()) oldest = Math.min(oldest, baseSeq);
      existing.schedule.prune(oldest);
      // Pattern jobs waiting on blocks that are now ours (or no longer) look again.
      this.deps.scheduler.wake();
      return;
    }
    if ((subs?.size ?? 0) >= MAX_SUBSCRIPTIONS_PER_LINK) {
      return this.deps.onBadFrame(session, `more than ${MAX_SUBSCRIPTIONS_PER_LINK} subscriptions`);
    }
    if (!subs) this.subs.set(session, (subs = new Map()));
    subs.set(msg.sub, {
      session,
      sub: msg.sub,
      streamId: msg.streamId,
      schedule: new StripeSchedule(epoch),
      letter: msg.letter,
      upstream: msg.upstream,
      segments: new Map(),
      patternQueue: [],
      patternJob: undefined,
    });
  }

  private onSegment(session: LinkSession, msg: Msg<'stripe-segment'>): void {
    const sub = this.subscription(session, msg.sub, msg.segment);
    if (!sub) return;
    const existing = sub.segments.get(msg.baseSeq);
    if (existing?.patternJob) {
      return this.deps.onBadFrame(session, `segment at ${msg.baseSeq} asked for twice`);
    }
    const served = existing ?? this.open(session, sub, msg.segment, msg.baseSeq, msg.blockBytes);
    if (!served) return;
    served.patternJob = true;
    served.expectedSize = msg.size;
    if (msg.size !== undefined && served.source && served.source.data.byteLength !== msg.size) {
      return this.miss(session, sub, served, 'not-found');
    }
    sub.patternQueue.push(served);
    this.nextPatternJob(sub);
  }

  private onBlockRequest(session: LinkSession, msg: Msg<'block-request'>): void {
    const sub = this.subscription(session, msg.sub, msg.segment);
    if (!sub) return;
    const served =
      sub.segments.get(msg.baseSeq) ?? this.open(session, sub, msg.segment, msg.baseSeq, msg.blockBytes);
    if (!served) return;
    if (served.source) this.startExplicitJob(session, sub, served, msg);
    else served.queued.push(msg);
  }

  private onCancel(session: LinkSession, msg: Msg<'stripe-cancel'>): void {
    const sub = this.subs.get(session)?.get(msg.sub);
    const served = sub?.segments.get(msg.baseSeq);
    // Unknown ones are fine: the cancel crossed our last block or our miss.
    if (sub && served) this.stopSegment(sub, served);
  }

  private onClose(session: LinkSession, subId: number): void {
    const subs = this.subs.get(session);
    const sub = subs?.get(subId);
    if (!sub || !subs) return;
    this.stopSubscription(sub);
    subs.delete(subId);
    if (subs.size === 0) this.subs.delete(session);
  }

  private onProbe(session: LinkSession, msg: Msg<'probe'>): void {
    const now = this.deps.clock.now();
    if (now - (this.lastProbeAt.get(session) ?? Number.NEGATIVE_INFINITY) < MIN_PROBE_GAP_MS) {
      return this.deps.onBadFrame(session, 'probe flood');
    }
    this.lastProbeAt.set(session, now);
    // Paced by the upload cap like blocks are: the probe then measures what this node will deliver.
    this.deps.scheduler.paced(msg.pad.length, () => {
      if (!session.closed) session.sendStripe({ type: 'probe-reply', nonce: msg.nonce, pad: msg.pad });
    });
  }

  /** The subscription `subId`, checked against the segment's stream; reports a bad frame if not. */
  private subscription(session: LinkSession, subId: number, segment: SegmentRef): Subscription | undefined {
    const sub = this.subs.get(session)?.get(subId);
    if (!sub) {
      this.deps.onBadFrame(session, `subscription ${subId} has no pattern`);
      return undefined;
    }
    if (sub.streamId !== segment.streamId) {
      this.deps.onBadFrame(session, `subscription ${subId} is for ${sub.streamId}, not ${segment.streamId}`);
      return undefined;
    }
    return sub;
  }

  /** Starts looking for a segment's bytes on a subscription's behalf. */
  private open(
    session: LinkSession,
    sub: Subscription,
    segment: SegmentRef,
    baseSeq: number,
    blockBytes: number,
  ): ServedSegment | undefined {
    if (sub.segments.size >= MAX_SEGMENTS_PER_SUBSCRIPTION) {
      session.sendStripe({ type: 'stripe-miss', sub: sub.sub, baseSeq, reason: 'busy' });
      return undefined;
    }
    const served: ServedSegment = {
      baseSeq,
      key: segmentKey(segment),
      fetch: undefined,
      unobserve: undefined,
      jobs: new Set(),
      source: undefined,
      queued: [],
      blockBytes,
      patternJob: false,
      expectedSize: undefined,
    };
    sub.segments.set(baseSeq, served);
    const held = this.deps.store.get(segment);
    if (held) {
      this.ready(session, sub, served, held, undefined);
      return served;
    }
    const fetch = createCancelSource();
    served.fetch = fetch;
    this.deps.fetchThrough(segment, session, fetch.token, sub.upstream).then(
      (result) => {
        if (sub.segments.get(baseSeq) !== served) {
          if ('live' in result) fetch.cancel();
          return;
        }
        if ('miss' in result) return this.miss(session, sub, served, result.miss);
        if ('data' in result) served.fetch = undefined;
        this.ready(session, sub, served, 'data' in result ? result.data : result.live.data, result);
      },
      (err: unknown) => {
        this.deps.log('striped fetch-through for %s failed: %O', served.key, err);
        if (sub.segments.get(baseSeq) === served) this.miss(session, sub, served, 'upstream-failed');
      },
    );
    return served;
  }

  /** The bytes are at hand (whole, or arriving): announce the size and start what was asked. */
  private ready(
    session: LinkSession,
    sub: Subscription,
    served: ServedSegment,
    data: Uint8Array,
    result: FetchThroughResult | undefined,
  ): void {
    if (data.byteLength > MAX_SEGMENT_BYTES) return this.miss(session, sub, served, 'not-found');
    const live = result && 'live' in result ? result.live : undefined;
    if (live?.end && !live.end.ok) return this.miss(session, sub, served, 'upstream-failed');
    served.source = { data, live };
    if (
      !session.sendStripe({
        type: 'stripe-have',
        sub: sub.sub,
        baseSeq: served.baseSeq,
        size: data.byteLength,
      })
    ) {
      return this.stopSegment(sub, served);
    }
    if (live) {
      served.unobserve = live.observe({
        onProgress: () => this.deps.scheduler.wake(),
        onEnd: (end) => {
          if (end.ok) return this.deps.scheduler.wake();
          this.deps.log('striped forwarding of %s aborted: %s', served.key, end.reason);
          if (sub.segments.get(served.baseSeq) === served) this.miss(session, sub, served, 'upstream-failed');
        },
      });
    }
    if (served.expectedSize !== undefined && served.expectedSize !== data.byteLength) {
      return this.miss(session, sub, served, 'not-found');
    }
    if (served.patternJob) this.nextPatternJob(sub);
    for (const request of served.queued.splice(0)) this.startExplicitJob(session, sub, served, request);
  }

  /** Starts sending the pattern blocks of the first queued segment, once the last one's are out. */
  private nextPatternJob(sub: Subscription): void {
    while (!sub.patternJob) {
      const served = sub.patternQueue[0];
      // The head waits for its bytes; later segments wait behind it (order matters more).
      if (!served?.source) return;
      sub.patternQueue.shift();
      if (sub.segments.get(served.baseSeq) !== served) continue;
      const size = served.source.data.byteLength;
      const plan = new BlockCursor(sub.sub, served.baseSeq, size, served.blockBytes, (seq) =>
        sub.schedule.owes(sub.letter, seq),
      );
      // A job that ends at once (no block of ours) returns undefined: the loop goes on.
      sub.patternJob = this.startJob(sub.session, sub, served, plan, (job) => {
        if (sub.patternJob !== job) return;
        sub.patternJob = undefined;
        this.nextPatternJob(sub);
      });
    }
  }

  private startExplicitJob(
    session: LinkSession,
    sub: Subscription,
    served: ServedSegment,
    msg: Msg<'block-request'>,
  ): void {
    const size = served.source?.data.byteLength ?? 0;
    const count = Math.ceil(size / msg.blockBytes);
    const wanted = new Set<number>();
    for (const [from, to] of msg.ranges) {
      for (let seq = Math.max(from, msg.baseSeq); seq < Math.min(to, msg.baseSeq + count); seq++) {
        wanted.add(seq);
      }
    }
    if (wanted.size === 0) return this.deps.onBadFrame(session, 'block-request for no block of the segment');
    const plan = new BlockCursor(sub.sub, msg.baseSeq, size, msg.blockBytes, (seq) => wanted.has(seq));
    this.startJob(session, sub, served, plan);
  }

  private startJob(
    session: LinkSession,
    sub: Subscription,
    served: ServedSegment,
    plan: BlockCursor,
    onEnd?: (job: UploadJob) => void,
  ): UploadJob | undefined {
    const source = served.source;
    if (!source) return undefined;
    const job: UploadJob = {
      target: session,
      id: sub.sub,
      data: source.data,
      blocks: plan,
      ...(source.live && { readable: () => source.live?.forwardable ?? source.data.byteLength }),
      onDone: () => {
        served.jobs.delete(job);
        // Done with the segment once every job ended and the bytes are final.
        if (served.jobs.size === 0 && (!source.live || source.live.end?.ok)) this.forget(sub, served);
        onEnd?.(job);
      },
      onSent: (bytes) => this.deps.onUploaded(sub.streamId, bytes),
    };
    served.jobs.add(job);
    this.deps.scheduler.start(job);
    return served.jobs.has(job) ? job : undefined;
  }

  private miss(session: LinkSession, sub: Subscription, served: ServedSegment, reason: MissReason): void {
    this.stopSegment(sub, served);
    session.sendStripe({ type: 'stripe-miss', sub: sub.sub, baseSeq: served.baseSeq, reason });
  }

  private stopSegment(sub: Subscription, served: ServedSegment): void {
    this.forget(sub, served);
    for (const job of served.jobs) {
      this.deps.scheduler.cancel(job);
      if (sub.patternJob === job) sub.patternJob = undefined;
    }
    served.jobs.clear();
    served.fetch?.cancel();
    const queued = sub.patternQueue.indexOf(served);
    if (queued >= 0) sub.patternQueue.splice(queued, 1);
    if (!sub.patternJob) this.nextPatternJob(sub);
  }

  private forget(sub: Subscription, served: ServedSegment): void {
    served.unobserve?.();
    served.unobserve = undefined;
    if (sub.segments.get(served.baseSeq) === served) sub.segments.delete(served.baseSeq);
  }

  private stopSubscription(sub: Subscription): void {
    for (const served of [...sub.segments.values()]) this.stopSegment(sub, served);
  }
}
