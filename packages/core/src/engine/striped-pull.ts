import {
  MAX_SEGMENT_BYTES,
  segmentKey,
  type BlockFrame,
  type NodeId,
  type SegmentRef,
  type StreamId,
  type StripeMessage,
} from '../protocol/index.ts';
import { blockCount, SegmentAssembly } from '../stripe/reassembly.ts';
import { MAX_SEQ } from '../stripe/types.ts';
import { LiveSegment } from './live-segment.ts';
import type { LinkSession } from './link-session.ts';
import type { SegmentCheck } from './peer-engine-types.ts';
import { StripeSources } from './stripe-sources.ts';
import type { StripeSource, StripingSettings } from './stripe-types.ts';
import type { CancelToken, Clock, Logger, TimerHandle } from './types.ts';

type Msg<T extends StripeMessage['type']> = Extract<StripeMessage, { type: T }>;

/** What a striped pull needs from the engine. */
export interface StripedPullDeps {
  clock: Clock;
  log: Logger;
  streamId: StreamId;
  settings: StripingSettings;
  /** A fresh subscription id, unique across the engine (block frames are routed by it). */
  nextSubscription(): number;
  /** A subscription id is no longer in use. */
  releaseSubscription(sub: number): void;
  /** A fresh probe nonce, unique across the engine. */
  nextNonce(): number;
  /** The engine's whole-segment check (signed manifest). */
  verifySegment(segment: SegmentRef, data: Uint8Array): Promise<SegmentCheck>;
  /** Per-block check, to blame the one source of a bad block; `unknown` without block hashes. */
  checkBlock?(
    segment: SegmentRef,
    index: number,
    blockBytes: number,
    payload: Uint8Array,
  ): Promise<SegmentCheck>;
  /** A segment started arriving: children waiting for it get its bytes as they come. */
  onLive(segment: SegmentRef, live: LiveSegment): void;
  /** A source sent block `block` of `segment`, which failed its hash: cut it off and report it. */
  punish(session: LinkSession, segment: SegmentRef, block: number, reason: string): void;
  /** A source broke the protocol. */
  badFrame(session: LinkSession, reason: string): void;
}

/** A segment a striped pull delivered, and how many bytes each source contributed. */
export interface StripedSegment {
  data: Uint8Array;
  contributions: Map<NodeId, number>;
}

/**
 * Why a striped pull of a segment ended without it: the caller falls back to whole-segment
 * requests (`suspect`: the segment failed its hash and no per-block hash could say who sent
 * the bad block, so one parent at a time must be asked to find out).
 */
export type StripedFailure = 'no-sources' | 'failed' | 'suspect' | 'cancelled' | 'unverifiable';

interface Pending {
  readonly segment: SegmentRef;
  readonly key: string;
  readonly baseSeq: number;
  /**
   * Sequence numbers reserved for the segment: the most a segment may have until its size is
   * known, then its blocks (the next segment may start right after them).
   */
  span: number;
  /** The size, from the manifest or from the first `stripe-have`. */
  size: number | undefined;
  assembly: SegmentAssembly | undefined;
  live: LiveSegment | undefined;
  readonly askedAt: number;
  /** Sources that announced the segment, and when they last delivered one of its blocks. */
  readonly progress: Map<StripeSource, number>;
  /** Sources that will not deliver (miss, stall, wrong size): their blocks go to others. */
  readonly out: Set<StripeSource>;
  readonly finish: (result: StripedSegment | StripedFailure) => void;
  done: boolean;
}

/** How often pending segments are checked for stalled sources, ms. */
const TICK_MS = 100;

/**
 * The receiving side of a striped pull of one stream (seed 002): the segment's blocks come from
 * all of this node's parents at once, each sending the blocks the current pattern gives its
 * letter, tagged with sequence numbers; they are put back together in place
 * ({@link SegmentAssembly}), out-of-sequence arrivals are logged, and blocks owed by a source
 * that missed, stalled or vanished are re-requested from the others (`block-request`). The
 * pattern (kept by {@link StripeSources}) starts from probes and is recomputed every interval.
 */
export class StripedPull {
  readonly sources: StripeSources;
  private readonly pending = new Map<number, Pending>();
  /** The next unreserved sequence number. */
  private cursor = 0;
  private timer: TimerHandle | undefined;
  private closed = false;

  constructor(private readonly deps: StripedPullDeps) {
    this.sources = new StripeSources({
      clock: deps.clock,
      log: deps.log,
      streamId: deps.streamId,
      settings: deps.settings,
      nextSubscription: deps.nextSubscription,
      releaseSubscription: deps.releaseSubscription,
      nextNonce: deps.nextNonce,
      isBusy: (source) => this.owesAnything(source),
    });
  }

  /** Segments being pulled now. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Pulls `segment` striped across `parents` (best first). `size`, when the signed manifest gives
   * it, lets the blocks be numbered exactly. Resolves with the verified bytes, or with why not.
   */
  async fetch(
    segment: SegmentRef,
    parents: readonly LinkSession[],
    cancel: CancelToken,
    size?: number,
  ): Promise<StripedSegment | StripedFailure> {
    if (this.closed) return 'cancelled';
    this.sources.noteCursor(this.cursor);
    await this.sources.use(parents);
    if (cancel.cancelled || this.closed) return 'cancelled';
    const active = this.sources.active().filter((s) => parents.includes(s.session));
    // One source is no stripe: the whole-segment request serves it better.
    if (active.length < 2) return 'no-sources';
    this.cursor = Math.max(this.cursor, this.sources.patternStart());
    const { blockBytes } = this.deps.settings;
    const span =
      size === undefined
        ? Math.ceil(MAX_SEGMENT_BYTES / blockBytes)
        : Math.max(1, blockCount(size, blockBytes));
    if (this.cursor + span > MAX_SEQ) return 'failed';
    const baseSeq = this.cursor;
    this.cursor += span;
    return new Promise((resolve) => {
      const pending: Pending = {
        segment,
        key: segmentKey(segment),
        baseSeq,
        span,
        size,
        assembly: undefined,
        live: undefined,
        askedAt: this.deps.clock.now(),
        progress: new Map(),
        // Sources that are not to be asked for this segment (e.g. they wait on us for it).
        out: new Set(this.sources.active().filter((s) => !parents.includes(s.session))),
        done: false,
        finish: (result) => {
          if (pending.done) return;
          pending.done = true;
          this.pending.delete(baseSeq);
          stopCancel();
          if (typeof result === 'string') {
            pending.live?.fail(`striped pull ${result}`);
            this.cancelAt(pending);
          } else {
            pending.live?.complete();
          }
          resolve(result);
        },
      };
      const stopCancel = onCancel(cancel, () => pending.finish('cancelled'));
      if (pending.done) return;
      this.pending.set(baseSeq, pending);
      for (const source of active) {
        source.session.sendStripe({
          type: 'stripe-segment',
          sub: source.sub,
          segment,
          baseSeq,
          blockBytes,
          ...(size !== undefined && { size }),
        });
      }
      this.schedule();
    });
  }

  /** A message of this pull's (`stripe-have`, `stripe-miss`, `probe-reply`) from `session`. */
  handle(session: LinkSession, msg: StripeMessage): void {
    if (msg.type === 'probe-reply') return this.sources.onProbeReply(session, msg);
    if (msg.type !== 'stripe-have' && msg.type !== 'stripe-miss') return;
    const source = this.sources.bySub(msg.sub);
    if (!source) return;
    if (source.session !== session) {
      return this.deps.badFrame(session, `${msg.type} for subscription ${msg.sub}, not its own`);
    }
    const pending = this.pending.get(msg.baseSeq);
    // Late answers for segments already done or given up are expected.
    if (!pending) return;
    if (msg.type === 'stripe-have') this.onHave(pending, source, msg);
    else this.onMiss(pending, source, msg);
  }

  /** A block frame on subscription `frame.sub`, which is this pull's. */
  onBlock(session: LinkSession, frame: BlockFrame): void {
    const source = this.sources.bySub(frame.sub);
    // A subscription just released: late, not hostile.
    if (!source) return;
    if (source.session !== session) {
      return this.deps.badFrame(session, `block for subscription ${frame.sub}, not its own`);
    }
    const pending = this.pendingAt(frame.seq);
    // A block of a segment already complete (another source was quicker) or given up: dropped,
    // but it was delivered all the same, which the source's rate counts.
    if (!pending) return this.sources.deliveredDuplicate(source, frame.seq, frame.payload.byteLength);
    const { assembly } = pending;
    if (!assembly || !pending.progress.has(source)) {
      return this.deps.badFrame(session, `block ${frame.seq} before stripe-have`);
    }
    const verdict = assembly.accept(frame.seq, frame.payload, source.id);
    if (verdict === 'bad-size' || verdict === 'out-of-range') {
      return this.deps.badFrame(session, `block ${frame.seq}: ${verdict}`);
    }
    if (verdict === 'duplicate') {
      // Not needed (another source was quicker, or it was moved off this one), but delivered:
      // it counts for the source's rate and shows it is not stalled.
      return this.sources.deliveredDuplicate(source, frame.seq, frame.payload.byteLength);
    }
    if (verdict !== 'accepted') return;
    const now = this.deps.clock.now();
    pending.progress.set(source, now);
    this.sources.record(source, frame.seq, frame.payload.byteLength);
    this.sources.noteOwing(source, this.owesAnything(source));
    pending.live?.progress(assembly.contiguousBytes);
    if (assembly.complete) void this.complete(pending, assembly);
  }

  /** `session` is gone (or no longer a parent): its blocks go to the others. */
  removeSession(session: LinkSession): void {
    const source = this.sources.remove(session, this.cursor);
    if (!source) return;
    for (const pending of [...this.pending.values()]) {
      pending.out.add(source);
      this.repair(pending);
    }
  }

  /** Per-source figures and the current pattern, for the stats panel and the heartbeat. */
  stats(): ReturnType<StripeSources['stats']> {
    return this.sources.stats();
  }

  /** Gives up every pending segment and ends every subscription. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const pending of [...this.pending.values()]) pending.finish('cancelled');
    this.sources.close();
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private onHave(pending: Pending, source: StripeSource, msg: Msg<'stripe-have'>): void {
    if (pending.size !== undefined && msg.size !== pending.size) {
      this.deps.log('%s says %s is %d bytes, not %d', source.id, pending.key, msg.size, pending.size);
      pending.out.add(source);
      return this.repair(pending);
    }
    if (!pending.assembly) {
      const count = blockCount(msg.size, this.deps.settings.blockBytes);
      if (count > pending.span) {
        pending.out.add(source);
        return this.repair(pending);
      }
      pending.size = msg.size;
      pending.assembly = new SegmentAssembly({
        baseSeq: pending.baseSeq,
        size: msg.size,
        blockBytes: this.deps.settings.blockBytes,
        ownerOf: (seq) => this.sources.ownerOf(seq),
        onOutOfSequence: (seq, from, expected) =>
          this.sources.outOfSequence(from, seq, expected, pending.key),
      });
      // Reserved for the largest segment but smaller: the next segment follows it directly.
      if (this.cursor === pending.baseSeq + pending.span) this.cursor = pending.baseSeq + Math.max(1, count);
      // Its blocks only, from now on: a block beyond them belongs to the segment that follows.
      pending.span = Math.max(1, count);
      pending.live = new LiveSegment(pending.assembly.buffer);
      this.deps.onLive(pending.segment, pending.live);
      for (const s of this.sources.active()) this.sources.noteOwing(s, this.owesAnything(s));
      if (count === 0) return void this.complete(pending, pending.assembly);
    }
    pending.progress.set(source, this.deps.clock.now());
    this.repair(pending);
  }

  private onMiss(pending: Pending, source: StripeSource, msg: Msg<'stripe-miss'>): void {
    this.deps.log('%s cannot serve %s striped: %s', source.id, pending.key, msg.reason);
    pending.out.add(source);
    this.repair(pending);
  }

  /**
   * Re-requests the missing blocks owed by sources that are out of this segment (or that skipped
   * them) from the sources still in it; ends the segment when nobody is left.
   */
  private repair(pending: Pending): void {
    if (pending.done) return;
    const inPlay = this.sources.active().filter((s) => !pending.out.has(s));
    if (inPlay.length === 0) return pending.finish('no-sources');
    const { assembly } = pending;
    if (!assembly) return;
    const moved = this.sources.reassign(
      assembly.missing(),
      (owner) => owner === undefined || pending.out.has(owner) || !inPlay.includes(owner),
      inPlay,
    );
    this.request(pending, moved);
  }

  private async complete(pending: Pending, assembly: SegmentAssembly): Promise<void> {
    if (pending.done) return;
    const data = assembly.bytes();
    const check = await this.deps.verifySegment(pending.segment, data);
    if (pending.done) return;
    if (check === true) {
      const contributions = new Map<NodeId, number>();
      for (const [id, tally] of assembly.bySource()) contributions.set(id, tally.bytes);
      return pending.finish({ data, contributions });
    }
    if (check === 'unknown') return pending.finish('unverifiable');
    const culprits = await this.blame(pending, assembly);
    if (culprits.size === 0) return pending.finish('suspect');
    for (const [culprit, block] of culprits) {
      this.deps.punish(culprit.session, pending.segment, block, `sent bad block ${block} of ${pending.key}`);
    }
    pending.finish('failed');
  }

  /**
   * The sources of blocks that fail their per-block hash, each with its first bad block (none
   * when there are no block hashes).
   */
  private async blame(pending: Pending, assembly: SegmentAssembly): Promise<Map<StripeSource, number>> {
    const { checkBlock } = this.deps;
    const culprits = new Map<StripeSource, number>();
    if (!checkBlock) return culprits;
    const bytes = assembly.bytes();
    for (const [id, seqs] of assembly.contributors()) {
      const source = this.sources.byId(id);
      for (const seq of seqs) {
        const index = seq - assembly.baseSeq;
        const start = index * assembly.blockBytes;
        const block = bytes.subarray(start, Math.min(bytes.byteLength, start + assembly.blockBytes));
        const check = await checkBlock(pending.segment, index, assembly.blockBytes, block);
        if (check === 'unknown') return new Map();
        if (check === false && source) {
          culprits.set(source, index);
          break;
        }
      }
    }
    return culprits;
  }

  /** Tells the sources still sending blocks of a segment given up to stop. */
  private cancelAt(pending: Pending): void {
    for (const source of this.sources.active()) {
      if (pending.out.has(source)) continue;
      source.session.sendStripe({ type: 'stripe-cancel', sub: source.sub, baseSeq: pending.baseSeq });
    }
  }

  private pendingAt(seq: number): Pending | undefined {
    for (const pending of this.pending.values()) {
      if (seq >= pending.baseSeq && seq < pending.baseSeq + pending.span) return pending;
    }
    return undefined;
  }

  /** Whether `source` owes a block of a pending segment now (for its busy time). */
  private owesAnything(source: StripeSource): boolean {
    for (const pending of this.pending.values()) {
      if (!pending.assembly || pending.out.has(source)) continue;
      if (pending.assembly.missing().some((m) => m.owedBy === source.id)) return true;
    }
    return false;
  }

  /** Stall checks and rebalancing run while segments are pending. */
  private schedule(): void {
    if (this.timer !== undefined || this.closed) return;
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined;
      this.tick();
      if (this.pending.size > 0) this.schedule();
    }, TICK_MS);
  }

  private tick(): void {
    const now = this.deps.clock.now();
    const { stallMs, firstByteTimeoutMs } = this.deps.settings;
    for (const pending of [...this.pending.values()]) {
      if (!pending.assembly) {
        if (now - pending.askedAt > firstByteTimeoutMs) pending.finish('no-sources');
        continue;
      }
      const inPlay = this.sources.active().filter((s) => !pending.out.has(s));
      const skipped = new Map<StripeSource, number[]>();
      const owing = new Set<StripeSource>();
      for (const missing of pending.assembly.missing()) {
        const owner = missing.owedBy === undefined ? undefined : this.sources.byId(missing.owedBy);
        if (!owner || pending.out.has(owner)) continue;
        owing.add(owner);
        // The owner sent later pattern blocks but not this one: it is not coming (a pattern that
        // reached it after it passed the block). Blocks asked by block-request travel beside its
        // pattern blocks, out of order, so they do not count.
        if (owner.lastPatternSeq > missing.seq && !this.sources.isReassigned(missing.seq)) {
          skipped.set(owner, [...(skipped.get(owner) ?? []), missing.seq]);
        }
      }
      for (const [owner, seqs] of skipped) this.request(pending, this.sources.skipped(owner, seqs, inPlay));
      let stalled = false;
      for (const owner of owing) {
        // Stalled: nothing from it at all (it may be busy with blocks of other segments).
        const last = Math.max(owner.lastBlockAt, pending.progress.get(owner) ?? pending.askedAt);
        if (now - last <= stallMs) continue;
        this.deps.log('%s stalled on %s: its blocks go to the others', owner.id, pending.key);
        pending.out.add(owner);
        this.sources.stalled(owner);
        stalled = true;
      }
      if (stalled) this.repair(pending);
    }
    if (this.sources.tick(now, this.cursor)) {
      for (const source of this.sources.takeCuts()) this.moveBacklog(source);
      for (const pending of [...this.pending.values()]) this.repair(pending);
    }
  }

  /**
   * `source` turned out slower than the blocks it owes assumed: it keeps about one interval's
   * worth at its measured rate (the earliest), the rest go to the others now. (It may still send
   * some of them; duplicates are dropped by sequence number.)
   */
  private moveBacklog(source: StripeSource): void {
    const { blockBytes, intervalMs } = this.deps.settings;
    let keep = Math.max(1, Math.floor((source.lastRate * intervalMs) / 1000 / blockBytes));
    const ordered = [...this.pending.values()].sort((a, b) => a.baseSeq - b.baseSeq);
    for (const pending of ordered) {
      const { assembly } = pending;
      if (!assembly || pending.out.has(source)) continue;
      const owed = assembly.missing().filter((m) => m.owedBy === source.id);
      const moving = owed.slice(Math.min(owed.length, keep));
      keep = Math.max(0, keep - owed.length);
      if (moving.length === 0) continue;
      const others = this.sources.active().filter((s) => s !== source && !pending.out.has(s));
      if (others.length === 0) continue;
      this.request(
        pending,
        this.sources.reassign(moving, (owner) => owner === source, others),
      );
    }
  }

  /** Sends `block-request`s for blocks moved to other sources. */
  private request(pending: Pending, moved: Map<StripeSource, number[]>): void {
    const { assembly } = pending;
    if (!assembly) return;
    for (const [source, seqs] of moved) {
      if (seqs.length === 0) continue;
      this.sources.noteOwing(source, true);
      source.session.sendStripe({
        type: 'block-request',
        sub: source.sub,
        segment: pending.segment,
        baseSeq: pending.baseSeq,
        blockBytes: assembly.blockBytes,
        ranges: toRanges(seqs),
      });
    }
  }
}

/** `[from, to)` runs of sorted sequence numbers, at most 256 (the rest are left for later). */
export function toRanges(seqs: readonly number[]): [number, number][] {
  const sorted = [...seqs].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const seq of sorted) {
    const last = out[out.length - 1];
    if (last && last[1] === seq) last[1] = seq + 1;
    else if (!last || last[1] < seq) {
      if (out.length === 256) break;
      out.push([seq, seq + 1]);
    }
  }
  return out;
}

function onCancel(cancel: CancelToken, listener: () => void): () => void {
  let active = true;
  cancel.onCancel(() => {
    if (active) listener();
  });
  return () => {
    active = false;
  };
}
