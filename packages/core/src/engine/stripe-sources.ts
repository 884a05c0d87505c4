import { PROBE_MAX_PAD_CHARS, type NodeId, type StreamId, type StripeMessage } from '../protocol/index.ts';
import { IntervalMeter } from '../stripe/interval-meter.ts';
import { assignLetters, encodePattern } from '../stripe/letters.ts';
import { buildPattern, patternShares } from '../stripe/pattern.ts';
import { changeSources, patternFromProbe, rebalance } from '../stripe/rebalance.ts';
import type { MissingBlock } from '../stripe/arrivals.ts';
import { StripeSchedule } from '../stripe/scheduler.ts';
import type { PatternEpoch, SourceId, SourceWeight } from '../stripe/types.ts';
import type { LinkSession } from './link-session.ts';
import type { StripeSource, StripeStats, StripingSettings } from './stripe-types.ts';
import type { Clock, Logger } from './types.ts';

/** Settings of {@link StripeSources}. */
export interface StripeSourcesOptions {
  clock: Clock;
  log: Logger;
  streamId: StreamId;
  settings: StripingSettings;
  nextSubscription(): number;
  /** A subscription id is no longer in use (its source left): later frames for it are ignored. */
  releaseSubscription(sub: number): void;
  nextNonce(): number;
  /** Whether the source owes a block of a pending segment now. */
  isBusy(source: StripeSource): boolean;
}

/**
 * The sources of one striped pull and the pattern that divides the blocks among them: the first
 * pattern from probes (a test block's round trip to each), then the document's interval
 * recalculation, with sources added, benched and dropped by new patterns sent to every source
 * with the sequence number from which they apply.
 */
export class StripeSources {
  private readonly sources = new Map<LinkSession, StripeSource>();
  private readonly subs = new Map<number, StripeSource>();
  private schedule: StripeSchedule | undefined;
  private letters = new Map<NodeId, string>();
  private meter: IntervalMeter;
  private starting: Promise<void> | undefined;
  /** The pull's next unreserved sequence number as of its last tick. */
  private cursorHint = 0;
  /** Sources whose share the last recalculations cut by half or more (see {@link takeCuts}). */
  private readonly cuts = new Set<StripeSource>();
  /** Route mode: sources that are routing relays, and the node each routes its blocks from. */
  private routes: ReadonlyMap<NodeId, NodeId> = new Map();

  constructor(private readonly options: StripeSourcesOptions) {
    this.meter = new IntervalMeter(options.clock.now());
  }

  /**
   * Sources in use, oldest first: those that answered a probe (a peer that does not speak
   * striping, or is too slow to answer one, is never given blocks).
   */
  active(): StripeSource[] {
    return [...this.sources.values()].filter((s) => s.probeResult !== undefined);
  }

  bySub(sub: number): StripeSource | undefined {
    return this.subs.get(sub);
  }

  byId(id: NodeId): StripeSource | undefined {
    for (const source of this.sources.values()) if (source.id === id) return source;
    return undefined;
  }

  /**
   * Route mode (the document's routing relays): each source in `routes` obtains the blocks it
   * sends from the node it maps to (one of its own parents), so one upstream's blocks reach this
   * node over several routes. Applies from the next pattern sent.
   */
  setRoutes(routes: ReadonlyMap<NodeId, NodeId>): void {
    this.routes = new Map(routes);
  }

  /** The pull's next unreserved sequence number: new patterns apply from after it. */
  noteCursor(cursor: number): void {
    this.cursorHint = cursor;
  }

  /** The block from which the latest pattern applies. */
  patternStart(): number {
    return this.schedule?.current.startSeq ?? 0;
  }

  /** Who owes block `seq`. */
  ownerOf(seq: number): SourceId | undefined {
    return this.schedule?.ownerOf(seq);
  }

  /**
   * Makes sure every one of `parents` (the first `maxSources`) is a source: new ones are probed
   * and, once a pattern runs, added to it; the first pattern waits for the first probes.
   */
  async use(parents: readonly LinkSession[]): Promise<void> {
    const now = this.options.clock.now();
    for (const source of this.sources.values()) {
      const retry = source.probeFailedAt + this.options.settings.readmitMs <= now;
      if (!source.probeResult && !source.probe && retry && parents.includes(source.session)) {
        void this.probe(source);
      }
    }
    const added: StripeSource[] = [];
    for (const session of parents) {
      if (this.sources.size >= this.options.settings.maxSources) break;
      if (this.sources.has(session) || session.closed) continue;
      const source: StripeSource = {
        session,
        id: session.peerId,
        sub: this.options.nextSubscription(),
        probe: undefined,
        probeResult: undefined,
        probeFailedAt: Number.NEGATIVE_INFINITY,
        benchedUntil: 0,
        busyMs: 0,
        busySince: undefined,
        lastRate: 0,
        lastBlockAt: Number.NEGATIVE_INFINITY,
        lastPatternSeq: -1,
        bytes: 0,
        blocks: 0,
        outOfSequence: 0,
      };
      this.sources.set(session, source);
      this.subs.set(source.sub, source);
      added.push(source);
    }
    const probing = added.map((source) => this.probe(source));
    if (!this.schedule) {
      this.starting ??= Promise.all(probing).then(() => this.start());
      await this.starting;
      return;
    }
    // Sources added to a running pull join its pattern when their probe answers.
  }

  /** Forgets `session` as a source; a new pattern without it applies from after `cursor`. */
  remove(session: LinkSession, cursor = 0): StripeSource | undefined {
    const source = this.sources.get(session);
    if (!source) return undefined;
    this.sources.delete(session);
    this.subs.delete(source.sub);
    this.options.releaseSubscription(source.sub);
    source.probe?.done();
    if (this.schedule && this.inPattern(source.id)) {
      if (this.sources.size === 0) this.schedule = undefined;
      else this.changePattern({ drop: [source.id] }, cursor);
    }
    return source;
  }

  onProbeReply(session: LinkSession, msg: Extract<StripeMessage, { type: 'probe-reply' }>): void {
    const source = this.sources.get(session);
    const probe = source?.probe;
    if (!source || !probe || probe.nonce !== msg.nonce) return;
    source.probe = undefined;
    source.probeResult = {
      source: source.id,
      bytes: msg.pad.length * 2,
      elapsedMs: this.options.clock.now() - probe.sentAt,
      ...(session.rttMs !== undefined && { rttMs: session.rttMs }),
    };
    probe.done();
    // A new source of a running pull: "a new source is added by sending a new pattern".
    if (this.schedule && !this.inPattern(source.id)) {
      const n = this.active().length;
      this.changePattern({ add: [{ source: source.id, weight: 1 / n }] }, this.cursorHint);
    }
  }

  /** Counts a block `source` delivered. */
  record(source: StripeSource, seq: number, bytes: number): void {
    this.meter.record(source.id, seq, bytes);
    source.lastBlockAt = this.options.clock.now();
    if (!this.isReassigned(seq)) source.lastPatternSeq = Math.max(source.lastPatternSeq, seq);
    source.bytes += bytes;
    source.blocks++;
  }

  /** Counts a duplicate block `source` delivered towards its rate (not its useful bytes). */
  deliveredDuplicate(source: StripeSource, seq: number, bytes: number): void {
    this.meter.record(source.id, seq, bytes);
    source.lastBlockAt = this.options.clock.now();
  }

  /** Logs an out-of-sequence arrival (the document logs them). */
  outOfSequence(id: SourceId, seq: number, expected: number | undefined, key: string): void {
    const source = this.byId(id);
    if (source) source.outOfSequence++;
    this.options.log('%s: block %d from %s out of sequence (expected %s)', key, seq, id, expected ?? '-');
  }

  /**
   * Moves the `missing` blocks whose owner `isOut` to the sources `inPlay`, spread by their
   * shares, and returns what each now owes (for `block-request`s).
   */
  reassign(
    missing: readonly MissingBlock[],
    isOut: (owner: StripeSource | undefined) => boolean,
    inPlay: readonly StripeSource[],
  ): Map<StripeSource, number[]> {
    const byOwner = new Map<SourceId | undefined, number[]>();
    for (const m of missing) {
      const owner = m.owedBy === undefined ? undefined : this.byId(m.owedBy);
      if (!isOut(owner)) continue;
      const list = byOwner.get(m.owedBy) ?? [];
      list.push(m.seq);
      byOwner.set(m.owedBy, list);
    }
    const out = new Map<StripeSource, number[]>();
    for (const [owner, seqs] of byOwner) this.move(owner, seqs, inPlay, out);
    return out;
  }

  /** Blocks `owner` skipped (it sent later ones): asked of the others, or of it again if alone. */
  skipped(
    owner: StripeSource,
    seqs: readonly number[],
    inPlay: readonly StripeSource[],
  ): Map<StripeSource, number[]> {
    const others = inPlay.filter((s) => s !== owner);
    const out = new Map<StripeSource, number[]>();
    this.move(owner.id, seqs, others.length > 0 ? others : [owner], out);
    return out;
  }

  /** Whether block `seq` was moved off its pattern owner. */
  isReassigned(seq: number): boolean {
    return this.schedule?.isReassigned(seq) ?? false;
  }

  /**
   * Whether `source` owes blocks of a pending segment, noted when that may have changed (a block
   * from it arrived, a segment or a re-request gave it blocks): its busy time runs from the
   * moment it owes one to the moment its last one arrives, to the millisecond. (Sampled every
   * tick instead, a source whose few blocks come in one burst between ticks would never count as
   * busy, and one busy for part of a tick would count the whole tick.)
   */
  noteOwing(source: StripeSource, owing: boolean): void {
    const now = this.options.clock.now();
    if (owing && source.busySince === undefined) source.busySince = now;
    else if (!owing && source.busySince !== undefined) {
      source.busyMs += now - source.busySince;
      source.busySince = undefined;
    }
  }

  /**
   * Sources whose share a recalculation just cut by half or more (once each). A new pattern
   * applies only from its start; the blocks they already owe in segments asked for before it
   * would still come at their old, overestimated pace, so the pull moves the tail of those.
   */
  takeCuts(): StripeSource[] {
    const out = [...this.cuts].filter((s) => this.sources.get(s.session) === s);
    this.cuts.clear();
    return out;
  }

  /** `source` stalled: it leaves the pattern for `readmitMs`. */
  stalled(source: StripeSource): void {
    source.benchedUntil = this.options.clock.now() + this.options.settings.readmitMs;
  }

  /**
   * Busy time, benching and readmission, and every `intervalMs` the recalculation. Returns
   * whether a new pattern went out (pending segments may need repair).
   */
  tick(now: number, cursor: number): boolean {
    this.cursorHint = cursor;
    // Catches up on any change of who owes blocks that was not noted as it happened.
    for (const source of this.sources.values()) this.noteOwing(source, this.options.isBusy(source));
    if (!this.schedule) return false;
    const benched = this.active().filter((s) => s.benchedUntil > now);
    const drop = benched.filter((s) => this.inPattern(s.id)).map((s) => s.id);
    // Benched sources (stalled, or left out for delivering nothing) come back once their time is up.
    const readmit = this.active().filter(
      (s) => s.benchedUntil > 0 && s.benchedUntil <= now && !this.inPattern(s.id),
    );
    for (const source of readmit) source.benchedUntil = 0;
    if ((drop.length > 0 && drop.length < this.sources.size) || readmit.length > 0) {
      const n = this.sources.size;
      this.changePattern({ drop, add: readmit.map((s) => ({ source: s.id, weight: 1 / (2 * n) })) }, cursor);
      return true;
    }
    if (this.meter.elapsed(now) < this.options.settings.intervalMs) return false;
    return this.recalculate(
      now,
      benched.map((s) => s.id),
    );
  }

  /** Per-source figures and the current pattern. */
  stats(): StripeStats {
    const current = this.schedule?.current;
    const shares = current ? patternShares(current.pattern) : new Map<SourceId, number>();
    return {
      streamId: this.options.streamId,
      pattern: current ? encodePattern(current.pattern, this.letters) : '',
      epoch: current?.epoch ?? 0,
      startSeq: current?.startSeq ?? 0,
      sources: this.active().map((s) => ({
        peerId: s.id,
        letter: this.letters.get(s.id) ?? '',
        share: shares.get(s.id) ?? 0,
        bytesPerSecond: Math.round(s.lastRate),
        bytes: s.bytes,
        blocks: s.blocks,
        outOfSequence: s.outOfSequence,
        ...(s.probeResult && {
          probeBytesPerMs:
            s.probeResult.bytes / Math.max(1, s.probeResult.elapsedMs - (s.probeResult.rttMs ?? 0)),
        }),
      })),
    };
  }

  /** Ends every subscription. */
  close(): void {
    for (const source of this.sources.values()) {
      source.probe?.done();
      source.session.sendStripe({ type: 'stripe-close', sub: source.sub });
    }
    this.sources.clear();
    this.subs.clear();
    this.schedule = undefined;
  }

  /** The document's recalculation, on the bytes delivered while each source was busy. */
  private recalculate(now: number, benched: SourceId[]): boolean {
    const report = this.meter.take(now);
    const schedule = this.schedule;
    if (!report || !schedule) return false;
    const seconds = report.intervalMs / 1000;
    for (const source of this.sources.values()) {
      // A busy period still running is split at the interval's end.
      if (source.busySince !== undefined) {
        source.busyMs += now - source.busySince;
        source.busySince = now;
      }
      source.lastRate = 0;
    }
    const shares = patternShares(schedule.current.pattern);
    const delivered = new Map(report.sources.map((s) => [s.source, s]));
    // A source that owed blocks for only part of the interval delivered at its rate while busy:
    // scaled to the whole interval, so bursty (live) pulls still weigh sources by speed.
    let busyBytes = 0;
    let busyShare = 0;
    const measured = new Map<SourceId, number>();
    for (const source of this.sources.values()) {
      const got = delivered.get(source.id);
      source.lastRate = (got?.bytes ?? 0) / seconds;
      if (source.busyMs <= 0) continue;
      const bytes = ((got?.bytes ?? 0) * report.intervalMs) / Math.min(report.intervalMs, source.busyMs);
      measured.set(source.id, bytes);
      busyBytes += bytes;
      busyShare += shares.get(source.id) ?? 0;
    }
    for (const source of this.sources.values()) source.busyMs = 0;
    if (!this.options.settings.recalculate) return false;
    if (measured.size === 0 || busyBytes <= 0) return false;
    // One that owed nothing had no chance to deliver: it keeps its share (counted as if it had
    // delivered at the rate the others' shares imply), instead of leaving the pattern.
    const sources = report.sources
      .filter((s) => measured.has(s.source) || !this.byId(s.source))
      .map((s) => ({ ...s, bytes: measured.get(s.source) ?? s.bytes }));
    for (const [id, share] of shares) {
      if (measured.has(id) || !this.byId(id) || busyShare <= 0) continue;
      sources.push({ source: id, bytes: (share * busyBytes) / busyShare, blocks: 0 });
    }
    const result = rebalance(
      schedule.current,
      { ...report, sources },
      {
        secondsInFuture: this.options.settings.secondsInFuture,
        length: this.options.settings.patternLength,
        drop: benched,
      },
    );
    if (!result || samePattern(result.epoch.pattern, schedule.current.pattern)) return false;
    const kept = new Set(result.epoch.pattern);
    const before = patternShares(schedule.current.pattern);
    const after = patternShares(result.epoch.pattern);
    for (const [id, share] of before) {
      const source = this.byId(id);
      // Its share fell by half or more: it was found slower than its owed blocks assumed.
      if (source && (after.get(id) ?? 0) <= share / 2) this.cuts.add(source);
    }
    for (const id of schedule.current.pattern) {
      const source = this.byId(id);
      // Left out for delivering nothing while it owed blocks: measured again after a while.
      if (source && !kept.has(id) && source.benchedUntil === 0) {
        source.benchedUntil = now + this.options.settings.readmitMs;
      }
    }
    this.install(result.epoch);
    return true;
  }

  /** The first pattern, weighted by the probes that came back (equal weights for the rest). */
  private start(): void {
    this.starting = undefined;
    const probes = this.active().flatMap((s) => (s.probeResult ? [s.probeResult] : []));
    if (this.schedule || probes.length === 0) return;
    const length = this.options.settings.patternLength;
    const pattern =
      this.options.settings.firstPattern === 'equal'
        ? buildPattern(
            probes.map((p) => ({ source: p.source, weight: 1 })),
            { length },
          )
        : patternFromProbe(probes, { length }).pattern;
    this.install({ epoch: 0, startSeq: this.cursorHint, pattern });
  }

  private changePattern(change: { drop?: SourceId[]; add?: SourceWeight[] }, cursor: number): void {
    const schedule = this.schedule;
    if (!schedule) return;
    const current = schedule.current;
    const add = (change.add ?? []).filter((a) => !this.inPattern(a.source) && a.weight > 0 && a.weight < 1);
    const drop = (change.drop ?? []).filter((id) => this.inPattern(id));
    if (add.length === 0 && drop.length === 0) return;
    const next = changeSources(current, {
      drop,
      add,
      afterSeq: Math.max(cursor, current.startSeq),
      length: this.options.settings.patternLength,
    });
    this.install(next);
  }

  /** Makes `epoch` the latest pattern and sends it to every source with its letter. */
  private install(epoch: PatternEpoch): void {
    if (this.schedule) this.schedule.apply(epoch);
    else this.schedule = new StripeSchedule(epoch);
    this.letters = assignLetters([...this.active().map((s) => s.id), ...epoch.pattern], this.letters);
    const text = encodePattern(epoch.pattern, this.letters);
    this.options.log(
      'pattern %d of %s from block %d: %s',
      epoch.epoch,
      this.options.streamId,
      epoch.startSeq,
      text,
    );
    for (const source of this.sources.values()) {
      source.session.sendStripe({
        type: 'pattern',
        sub: source.sub,
        streamId: this.options.streamId,
        epoch: epoch.epoch,
        startSeq: epoch.startSeq,
        pattern: text,
        letter: this.letters.get(source.id) ?? 'A',
        ...(this.routes.has(source.id) && { upstream: this.routes.get(source.id) }),
      });
    }
  }

  private inPattern(id: SourceId): boolean {
    return this.schedule?.current.pattern.includes(id) ?? false;
  }

  private move(
    owner: SourceId | undefined,
    seqs: readonly number[],
    inPlay: readonly StripeSource[],
    out: Map<StripeSource, number[]>,
  ): void {
    const schedule = this.schedule;
    if (!schedule || inPlay.length === 0 || seqs.length === 0) return;
    const shares = patternShares(schedule.current.pattern);
    const among = inPlay.map((s) => ({ source: s.id, weight: shares.get(s.id) ?? 1 / (2 * inPlay.length) }));
    const moved =
      owner === undefined || !inPlay.every((s) => s.id !== owner)
        ? spreadEvenly(schedule, seqs, inPlay)
        : schedule.reassign(owner, seqs, { among });
    for (const [id, list] of moved) {
      const source = inPlay.find((s) => s.id === id);
      if (!source) continue;
      out.set(source, [...(out.get(source) ?? []), ...list]);
    }
  }

  private probe(source: StripeSource): Promise<void> {
    const { probeBytes, probeTimeoutMs } = this.options.settings;
    return new Promise((resolve) => {
      const timer = this.options.clock.setTimeout(() => finish(), probeTimeoutMs);
      const finish = (): void => {
        this.options.clock.clearTimeout(timer);
        if (source.probe?.nonce === nonce) {
          source.probe = undefined;
          source.probeFailedAt = this.options.clock.now();
        }
        resolve();
      };
      const nonce = this.options.nextNonce();
      source.probe = { nonce, sentAt: this.options.clock.now(), done: finish };
      // One-byte characters: the test block is `probeBytes` each way.
      const pad = 'p'.repeat(Math.min(PROBE_MAX_PAD_CHARS, Math.max(0, Math.floor(probeBytes))));
      if (!source.session.sendStripe({ type: 'probe', nonce, pad })) finish();
    });
  }
}

/** Blocks with no owner that is a source (or owned by one of `inPlay`): round-robin over `inPlay`. */
function spreadEvenly(
  schedule: StripeSchedule,
  seqs: readonly number[],
  inPlay: readonly StripeSource[],
): Map<SourceId, number[]> {
  const out = new Map<SourceId, number[]>();
  seqs.forEach((seq, i) => {
    const source = inPlay[i % inPlay.length];
    if (!source) return;
    schedule.assign(seq, source.id);
    out.set(source.id, [...(out.get(source.id) ?? []), seq]);
  });
  return out;
}

function samePattern(a: readonly SourceId[], b: readonly SourceId[]): boolean {
  return a.length === b.length && a.every((source, i) => source === b[i]);
}
