import { StripeError } from './errors.ts';
import { buildPattern, nextBoundary, patternShares, type BuildPatternOptions } from './pattern.ts';
import type { Pattern, PatternEpoch, SourceId, SourceWeight } from './types.ts';

/** Outcome of a probe to one source: a test block sent and echoed back. */
export interface ProbeResult {
  source: SourceId;
  /** Bytes of the test block (each way). */
  bytes: number;
  /** Time from sending the test block to its echo arriving, ms. */
  elapsedMs: number;
  /**
   * Round trip of a tiny message on the same link, ms, when known: subtracted from `elapsedMs`
   * so what remains is transfer time. Without it the whole response time counts.
   */
  rttMs?: number;
}

/** Shortest transfer time credited to a probe, ms: a zero or negative difference is noise. */
const MIN_TRANSFER_MS = 1;

/**
 * The first pattern of a pull, weighted by each source's probe: the estimated throughput
 * `bytes / (elapsed − rtt)` (or `bytes / elapsed` without an RTT), so a source that answered
 * the test block twice as fast gets twice the blocks. Probes that measured nothing usable (no
 * bytes, a non-finite time) are left out; it throws `no-sources` if none is left.
 */
export function patternFromProbe(
  probes: readonly ProbeResult[],
  options: BuildPatternOptions = {},
): { pattern: Pattern; weights: SourceWeight[] } {
  const weights = probes
    .filter((p) => p.bytes > 0 && Number.isFinite(p.elapsedMs) && p.elapsedMs >= 0)
    .map((p) => {
      const rtt = p.rttMs !== undefined && Number.isFinite(p.rttMs) && p.rttMs >= 0 ? p.rttMs : 0;
      const transferMs = Math.max(MIN_TRANSFER_MS, p.elapsedMs - rtt);
      return { source: p.source, weight: p.bytes / transferMs };
    });
  return { pattern: buildPattern(weights, options), weights };
}

/** What one source delivered since the previous recalculation. */
export interface SourceInterval {
  source: SourceId;
  /** Bytes received from the source in the interval (`mLastIntervalBytes[n]`). */
  bytes: number;
  /** Blocks received from the source in the interval. */
  blocks: number;
  /** Sequence number of the latest block received from the source (`lastSeqNum`). */
  lastSeq?: number;
}

/** The receiver's view of the last interval. */
export interface IntervalReport {
  sources: readonly SourceInterval[];
  /** Length of the interval, ms. */
  intervalMs: number;
  /** Highest sequence number the receiver has seen (any source). */
  currentSeq: number;
}

/** Settings of {@link rebalance}. */
export interface RebalanceOptions extends BuildPatternOptions {
  /**
   * How far ahead the new pattern should take effect, seconds (`secondsInFuture`): long enough
   * for the pattern message to reach every source before they get there. Default 1.
   */
  secondsInFuture?: number;
  /** Sources to leave out of the new pattern (failed or misbehaving). */
  drop?: readonly SourceId[];
  /** Sources to bring in, with the share of blocks each should take (0 < share < 1). */
  add?: readonly SourceWeight[];
}

/** A new pattern and how it was derived. */
export interface RebalanceResult {
  epoch: PatternEpoch;
  /** Each source's share of the interval's bytes (`mIntervalPct[n]`, as fractions). */
  shares: Map<SourceId, number>;
  /** The highest predicted sequence number before rounding (`maxSeqNumPrediction`). */
  predictedSeq: number;
}

/**
 * The document's recalculation (FIGS. 8 and 9): each source's share of the bytes delivered in
 * the last interval becomes its share of the new pattern, and the pattern applies from the
 * highest predicted sequence number
 * `blocksPerSecond[n] × secondsInFuture / mIntervalPct[n] + lastSeqNum[n]`, rounded up to a
 * whole boundary of the running pattern (and always after `currentSeq`). Shares are among the
 * running pattern's sources: one missing from the report delivered nothing and leaves the
 * pattern (the document's slow source), and one outside the pattern (that answered re-requests)
 * does not join it unless it is in `add`. Returns null when the pattern's sources delivered
 * nothing: there is no evidence to rebalance on.
 */
export function rebalance(
  current: PatternEpoch,
  report: IntervalReport,
  options: RebalanceOptions = {},
): RebalanceResult | null {
  checkSeq(report.currentSeq, 'currentSeq');
  if (!(report.intervalMs > 0)) {
    throw new StripeError('invalid-argument', `intervalMs must be positive, got ${report.intervalMs}`);
  }
  const dropped = new Set(options.drop ?? []);
  const bytes = new Map<SourceId, number>();
  for (const source of current.pattern) bytes.set(source, 0);
  for (const s of report.sources) {
    if (!(s.bytes >= 0) || !(s.blocks >= 0)) {
      throw new StripeError('invalid-argument', `interval figures of ${s.source} must be >= 0`);
    }
    const sofar = bytes.get(s.source);
    // Bytes from outside the pattern (answers to re-requests) do not buy a place in it.
    if (sofar !== undefined) bytes.set(s.source, sofar + s.bytes);
  }
  const total = [...bytes.values()].reduce((sum, b) => sum + b, 0);
  if (total <= 0) return null;
  const shares = new Map<SourceId, number>();
  for (const [source, b] of bytes) shares.set(source, b / total);

  const seconds = options.secondsInFuture ?? 1;
  if (!(seconds >= 0))
    throw new StripeError('invalid-argument', `secondsInFuture must be >= 0, got ${seconds}`);
  let predictedSeq = report.currentSeq;
  for (const s of report.sources) {
    const pct = shares.get(s.source) ?? 0;
    if (pct <= 0 || s.blocks <= 0) continue;
    const blocksPerSecond = s.blocks / (report.intervalMs / 1000);
    const prediction = (blocksPerSecond * seconds) / pct + (s.lastSeq ?? report.currentSeq);
    predictedSeq = Math.max(predictedSeq, Math.ceil(prediction));
  }

  const kept = [...shares]
    .filter(([source]) => !dropped.has(source))
    .map(([source, share]) => ({ source, weight: share }));
  const weights = withAdded(kept, options.add ?? []);
  const pattern = buildPattern(weights, { ...options, length: options.length ?? current.pattern.length });
  return {
    epoch: { epoch: current.epoch + 1, startSeq: nextBoundary(current, predictedSeq), pattern },
    shares,
    predictedSeq,
  };
}

/** Settings of {@link changeSources}. */
export interface ChangeSourcesOptions extends BuildPatternOptions {
  /** Sources to leave out (a failed connection, a slow or misbehaving source). */
  drop?: readonly SourceId[];
  /** Sources to bring in, with the share of blocks each should take (0 < share < 1). */
  add?: readonly SourceWeight[];
  /**
   * The new pattern applies from the first whole boundary after this sequence number: the
   * receiver's current sequence number for a failed source (as soon as possible), or a
   * prediction as in {@link rebalance} when sources must hear of it first.
   */
  afterSeq: number;
}

/**
 * A new pattern between rebalances: the running pattern's shares, without the dropped sources
 * and with the added ones taking their requested shares (the others shrink in proportion).
 * Throws `no-sources` when nothing is left.
 */
export function changeSources(current: PatternEpoch, options: ChangeSourcesOptions): PatternEpoch {
  checkSeq(options.afterSeq, 'afterSeq');
  const dropped = new Set(options.drop ?? []);
  const kept = [...patternShares(current.pattern)]
    .filter(([source]) => !dropped.has(source))
    .map(([source, share]) => ({ source, weight: share }));
  const weights = withAdded(kept, options.add ?? []);
  const pattern = buildPattern(weights, { ...options, length: options.length ?? current.pattern.length });
  return { epoch: current.epoch + 1, startSeq: nextBoundary(current, options.afterSeq), pattern };
}

/** Scales `kept` to make room for `added` shares; an added source already kept is replaced. */
function withAdded(kept: readonly SourceWeight[], added: readonly SourceWeight[]): SourceWeight[] {
  const addedIds = new Set<SourceId>();
  let addedShare = 0;
  for (const a of added) {
    if (!(a.weight > 0 && a.weight < 1)) {
      throw new StripeError('invalid-argument', `share of added source ${a.source} must be in (0, 1)`);
    }
    if (addedIds.has(a.source)) throw new StripeError('invalid-argument', `${a.source} is added twice`);
    addedIds.add(a.source);
    addedShare += a.weight;
  }
  if (addedShare >= 1) throw new StripeError('invalid-argument', 'added shares must sum to less than 1');
  const rest = kept.filter((k) => !addedIds.has(k.source));
  const restTotal = rest.reduce((sum, k) => sum + k.weight, 0);
  if (restTotal <= 0) return added.map((a) => ({ ...a }));
  const scale = (1 - addedShare) / restTotal;
  return [...rest.map((k) => ({ source: k.source, weight: k.weight * scale })), ...added];
}

function checkSeq(seq: number, name: string): void {
  if (!Number.isSafeInteger(seq) || seq < 0) {
    throw new StripeError('invalid-argument', `${name} must be a non-negative integer, got ${seq}`);
  }
}
