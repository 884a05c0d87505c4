import { StripeError } from './errors.ts';
import { buildPattern, MAX_PATTERN_LENGTH, patternShares, slotOwner } from './pattern.ts';
import { MAX_SEQ, type PatternEpoch, type SourceId, type SourceWeight } from './types.ts';

/** Settings of {@link StripeSchedule.reassign}. */
export interface ReassignOptions {
  /**
   * Who takes the blocks, weighted. Default: the latest pattern's sources and shares, without
   * the vanished source (and without `exclude`).
   */
  among?: readonly SourceWeight[];
  /** Sources that must not take any (e.g. others that failed meanwhile). */
  exclude?: readonly SourceId[];
}

/**
 * Which source owes which block: the pattern epochs of one subscription in force order, plus
 * single blocks re-assigned by hand (re-requests). Receivers use it to attribute every block
 * and to move the blocks of a vanished source; sources use it (with letters for ids) to decide
 * which blocks they send.
 */
export class StripeSchedule {
  private readonly epochs: PatternEpoch[] = [];
  private readonly overrides = new Map<number, SourceId>();

  constructor(first: PatternEpoch) {
    checkEpoch(first);
    this.epochs.push(first);
  }

  /** The latest pattern (it may not be in force yet: see {@link StripeSchedule.epochAt}). */
  get current(): PatternEpoch {
    const last = this.epochs[this.epochs.length - 1];
    if (!last) throw new StripeError('invalid-argument', 'schedule without epochs');
    return last;
  }

  /** Every epoch still remembered, oldest first. */
  get all(): readonly PatternEpoch[] {
    return this.epochs;
  }

  /**
   * Adds the next pattern. It must have a higher epoch and a later start than the latest one;
   * otherwise it throws `stale-epoch` (a source got patterns out of order, or a receiver bug).
   */
  apply(next: PatternEpoch): void {
    checkEpoch(next);
    const latest = this.current;
    if (next.epoch <= latest.epoch || next.startSeq <= latest.startSeq) {
      throw new StripeError(
        'stale-epoch',
        `epoch ${next.epoch} from ${next.startSeq} does not follow epoch ${latest.epoch} from ${latest.startSeq}`,
      );
    }
    this.epochs.push(next);
  }

  /** The epoch in force at `seq`, or undefined before the first one. */
  epochAt(seq: number): PatternEpoch | undefined {
    for (let i = this.epochs.length - 1; i >= 0; i--) {
      const epoch = this.epochs[i];
      if (epoch && epoch.startSeq <= seq) return epoch;
    }
    return undefined;
  }

  /** The source that owes block `seq`: a re-assignment if there is one, else the pattern's. */
  ownerOf(seq: number): SourceId | undefined {
    const moved = this.overrides.get(seq);
    if (moved !== undefined) return moved;
    const epoch = this.epochAt(seq);
    return epoch && slotOwner(epoch, seq);
  }

  /** Whether `source` is to send block `seq`. */
  owes(source: SourceId, seq: number): boolean {
    return this.ownerOf(seq) === source;
  }

  /** The blocks in `[fromSeq, toSeq)` that `source` owes. */
  owedBy(source: SourceId, fromSeq: number, toSeq: number): number[] {
    const out: number[] = [];
    for (let seq = fromSeq; seq < toSeq; seq++) if (this.ownerOf(seq) === source) out.push(seq);
    return out;
  }

  /** Whether block `seq` was re-assigned by hand (it is owed outside the pattern). */
  isReassigned(seq: number): boolean {
    return this.overrides.has(seq);
  }

  /** Records that block `seq` is now owed by `source` (a re-request was sent to it). */
  assign(seq: number, source: SourceId): void {
    if (!Number.isInteger(seq) || seq < 0 || seq > MAX_SEQ) {
      throw new StripeError('invalid-argument', `not a sequence number: ${seq}`);
    }
    this.overrides.set(seq, source);
  }

  /**
   * Moves the blocks among `seqs` that `vanished` owes to the remaining sources, spread by
   * weight like a pattern, and records the moves. Returns the blocks each source now owes, for
   * `block-request`s. Throws `no-sources` when nobody is left to take them.
   */
  reassign(
    vanished: SourceId,
    seqs: Iterable<number>,
    options: ReassignOptions = {},
  ): Map<SourceId, number[]> {
    const owed = [...new Set(seqs)].filter((seq) => this.ownerOf(seq) === vanished).sort((a, b) => a - b);
    const moved = new Map<SourceId, number[]>();
    if (owed.length === 0) return moved;
    const excluded = new Set([vanished, ...(options.exclude ?? [])]);
    const among =
      options.among ??
      [...patternShares(this.current.pattern)].map(([source, weight]) => ({ source, weight }));
    const weights = among.filter((w) => !excluded.has(w.source) && w.weight > 0);
    if (weights.length === 0)
      throw new StripeError('no-sources', `nobody is left to take ${vanished}'s blocks`);
    const spread = buildPattern(weights, {
      length: Math.min(MAX_PATTERN_LENGTH, Math.max(owed.length, weights.length)),
      keepEverySource: false,
    });
    owed.forEach((seq, i) => {
      const source = spread[i % spread.length];
      if (source === undefined) return;
      this.overrides.set(seq, source);
      const list = moved.get(source) ?? [];
      list.push(seq);
      moved.set(source, list);
    });
    return moved;
  }

  /** Forgets epochs no longer in force at or after `seq`, and re-assignments before it. */
  prune(seq: number): void {
    while (this.epochs.length > 1 && (this.epochs[1]?.startSeq ?? Number.POSITIVE_INFINITY) <= seq) {
      this.epochs.shift();
    }
    for (const moved of this.overrides.keys()) if (moved < seq) this.overrides.delete(moved);
  }
}

function checkEpoch(epoch: PatternEpoch): void {
  const { pattern, startSeq } = epoch;
  if (pattern.length === 0 || pattern.length > MAX_PATTERN_LENGTH) {
    throw new StripeError('invalid-argument', `pattern must have 1 to ${MAX_PATTERN_LENGTH} slots`);
  }
  if (!Number.isInteger(startSeq) || startSeq < 0 || startSeq > MAX_SEQ) {
    throw new StripeError('invalid-argument', `startSeq must be a sequence number, got ${startSeq}`);
  }
  if (!Number.isInteger(epoch.epoch) || epoch.epoch < 0) {
    throw new StripeError('invalid-argument', `epoch must be a non-negative integer, got ${epoch.epoch}`);
  }
}
