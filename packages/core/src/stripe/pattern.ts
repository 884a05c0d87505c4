import { StripeError } from './errors.ts';
import { MAX_SEQ, type Pattern, type PatternEpoch, type SourceId, type SourceWeight } from './types.ts';

/** Pattern length used when the caller does not choose one: 5 % resolution per source. */
export const DEFAULT_PATTERN_LENGTH = 20;
/** Longest pattern accepted (and sent on the wire). */
export const MAX_PATTERN_LENGTH = 1024;

/** Settings of {@link buildPattern}. */
export interface BuildPatternOptions {
  /** Number of slots. Default {@link DEFAULT_PATTERN_LENGTH}. */
  length?: number;
  /**
   * Give every source with a positive weight at least one slot (when the length allows), so its
   * throughput keeps being measured and a later rebalance can raise it again. Default true.
   */
  keepEverySource?: boolean;
}

/**
 * Splits `length` slots among sources in proportion to their weights (largest remainder), then
 * interleaves them so each source's slots are spread evenly (smooth weighted round-robin). The
 * result depends only on the weights and the length: ties go to the larger weight, then to the
 * lexically smaller source id, never to input order.
 */
export function buildPattern(weights: readonly SourceWeight[], options: BuildPatternOptions = {}): Pattern {
  const length = options.length ?? DEFAULT_PATTERN_LENGTH;
  checkLength(length);
  const quotas = apportion(weights, length, options.keepEverySource ?? true);
  return interleave(quotas);
}

/** A source's whole number of slots in a pattern. */
export interface SlotQuota {
  source: SourceId;
  slots: number;
}

/**
 * Largest-remainder (Hamilton) apportionment of `length` slots; sources with no slot are left
 * out. Sorted canonically (weight descending, then id) so callers get a stable order.
 */
export function apportion(
  weights: readonly SourceWeight[],
  length: number,
  keepEverySource = true,
): SlotQuota[] {
  checkLength(length);
  const seen = new Set<SourceId>();
  for (const { source, weight } of weights) {
    if (seen.has(source)) throw new StripeError('invalid-argument', `source ${source} is listed twice`);
    seen.add(source);
    if (!Number.isFinite(weight) || weight < 0) {
      throw new StripeError('invalid-argument', `weight of ${source} must be finite and >= 0, got ${weight}`);
    }
  }
  const positive = weights.filter((w) => w.weight > 0).sort(byWeightThenId);
  if (positive.length === 0) throw new StripeError('no-sources', 'no source has a positive weight');
  const total = positive.reduce((sum, w) => sum + w.weight, 0);
  const rows = positive.map((w) => {
    const exact = (w.weight / total) * length;
    return {
      source: w.source,
      weight: w.weight,
      slots: Math.floor(exact),
      remainder: exact - Math.floor(exact),
    };
  });
  let left = length - rows.reduce((sum, r) => sum + r.slots, 0);
  if (keepEverySource && positive.length <= length) {
    // Floors of zero are lifted first, taking the slot from the richest source at the end.
    for (const row of rows) {
      if (row.slots > 0) continue;
      row.slots = 1;
      row.remainder = 0;
      left--;
    }
  }
  const byRemainder = [...rows].sort((a, b) => b.remainder - a.remainder || byWeightThenId(a, b));
  for (let i = 0; left > 0; i = (i + 1) % byRemainder.length) {
    const row = byRemainder[i];
    if (row) row.slots++;
    left--;
  }
  // Over-allocation only happens when zero floors were lifted: take back from the largest quotas.
  while (left < 0) {
    const richest = rows.reduce((best, r) => (r.slots > best.slots ? r : best));
    richest.slots--;
    left++;
  }
  return rows.filter((r) => r.slots > 0).map((r) => ({ source: r.source, slots: r.slots }));
}

/**
 * Interleaves quotas with smooth weighted round-robin: each step credits every source its
 * quota and picks the most credited, so `{A:2, B:1, C:2}` becomes `A C B A C` rather than
 * `A A B C C`, and no source waits long between its blocks.
 */
export function interleave(quotas: readonly SlotQuota[]): Pattern {
  const total = quotas.reduce((sum, q) => sum + q.slots, 0);
  const credit = quotas.map(() => 0);
  const out: SourceId[] = [];
  for (let step = 0; step < total; step++) {
    let best = -1;
    for (let i = 0; i < quotas.length; i++) {
      credit[i] = (credit[i] ?? 0) + (quotas[i]?.slots ?? 0);
      if (best < 0 || (credit[i] ?? 0) > (credit[best] ?? 0)) best = i;
    }
    const pick = quotas[best];
    if (!pick) break;
    out.push(pick.source);
    credit[best] = (credit[best] ?? 0) - total;
  }
  return out;
}

/** Each source's share of a pattern's slots (fractions summing to 1). */
export function patternShares(pattern: Pattern): Map<SourceId, number> {
  const shares = new Map<SourceId, number>();
  for (const source of pattern) shares.set(source, (shares.get(source) ?? 0) + 1);
  for (const [source, count] of shares) shares.set(source, count / pattern.length);
  return shares;
}

/** The source owning `seq` under `epoch`, or undefined when `seq` is before the epoch starts. */
export function slotOwner(epoch: PatternEpoch, seq: number): SourceId | undefined {
  if (seq < epoch.startSeq || epoch.pattern.length === 0) return undefined;
  return epoch.pattern[(seq - epoch.startSeq) % epoch.pattern.length];
}

/**
 * The first whole-pattern boundary of `epoch` strictly after `seq`, and never the epoch's own
 * start: the running pattern completes at least one full cycle and every cycle it starts, so
 * each source gets exactly its share. With a first epoch at 0 this is the document's
 * `(seq + patternSize) / patternSize * patternSize` in integer arithmetic.
 */
export function nextBoundary(epoch: PatternEpoch, seq: number): number {
  const size = epoch.pattern.length;
  const cycles = seq < epoch.startSeq ? 1 : Math.floor((seq - epoch.startSeq) / size) + 1;
  const boundary = epoch.startSeq + cycles * size;
  if (boundary > MAX_SEQ) throw new StripeError('invalid-argument', 'sequence numbers exhausted');
  return boundary;
}

/** Whether the running pattern has been executed at least once by `currentSeq` (a rebalance criterion). */
export function patternExecuted(epoch: PatternEpoch, currentSeq: number): boolean {
  return currentSeq >= epoch.startSeq + epoch.pattern.length - 1;
}

function checkLength(length: number): void {
  if (!Number.isInteger(length) || length < 1 || length > MAX_PATTERN_LENGTH) {
    throw new StripeError(
      'invalid-argument',
      `pattern length must be an integer from 1 to ${MAX_PATTERN_LENGTH}, got ${length}`,
    );
  }
}

function byWeightThenId(a: SourceWeight, b: SourceWeight): number {
  return b.weight - a.weight || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0);
}
