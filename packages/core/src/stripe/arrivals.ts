import type { SourceId } from './types.ts';

/** How a block that arrived was taken. */
export type BlockVerdict =
  /** New: stored for delivery. */
  | 'accepted'
  /** Already received (from this or another source, e.g. over make-before-break paths): dropped. */
  | 'duplicate'
  /** Outside the segment (or before the start of the stream): dropped. */
  | 'out-of-range'
  /** Too far ahead of the first missing block to buffer: dropped. */
  | 'out-of-window'
  /** Its length does not fit its place in the segment: dropped (a protocol violation). */
  | 'bad-size';

/** A block not received yet, and who owes it. */
export interface MissingBlock {
  seq: number;
  /** The source the schedule says owes it; undefined if no pattern covers it. */
  owedBy: SourceId | undefined;
  /**
   * The owner already sent a later block. Links are ordered, so this one is not coming: it was
   * skipped (a pattern change that came late, a source bug) and should be re-requested now.
   */
  skipped: boolean;
}

/** What one source delivered to a reassembly. */
export interface SourceTally {
  blocks: number;
  bytes: number;
  duplicates: number;
  /** Arrivals that were not the next block the source owed (the document's log entries). */
  outOfSequence: number;
  /** Highest sequence number received from the source. */
  lastSeq: number;
}

/** Settings shared by reassemblies. */
export interface ArrivalOptions {
  /** Sequence number of the first block. */
  firstSeq: number;
  /** Sequence number after the last block; undefined for a continuous stream. */
  endSeq: number | undefined;
  /** Who owes each block (e.g. `StripeSchedule.ownerOf`). */
  ownerOf: (seq: number) => SourceId | undefined;
  /** Blocks that may be held beyond the first missing one. */
  window: number;
  /** Called for each out-of-sequence arrival, to log it. */
  onOutOfSequence?: ((seq: number, source: SourceId, expected: number | undefined) => void) | undefined;
}

/**
 * Bookkeeping common to segment and stream reassembly: which blocks arrived (everything below
 * `floor`, plus a sparse set above it), duplicates, each source's position and the arrivals
 * that broke its sequence. Holds no payloads.
 */
export class ArrivalLog {
  /** Every block below this has been received. */
  private floorSeq: number;
  private readonly above = new Set<number>();
  private readonly tallies = new Map<SourceId, SourceTally>();
  private highest = -1;

  constructor(private readonly options: ArrivalOptions) {
    this.floorSeq = options.firstSeq;
  }

  /** The first block not received yet. */
  get floor(): number {
    return this.floorSeq;
  }

  /** Highest sequence number received, or -1. */
  get highestSeq(): number {
    return this.highest;
  }

  has(seq: number): boolean {
    return seq < this.floorSeq ? seq >= this.options.firstSeq : this.above.has(seq);
  }

  /** Classifies an arrival without recording it. */
  check(seq: number): BlockVerdict | undefined {
    const { firstSeq, endSeq, window } = this.options;
    if (!Number.isInteger(seq) || seq < firstSeq || (endSeq !== undefined && seq >= endSeq))
      return 'out-of-range';
    if (this.has(seq)) return 'duplicate';
    if (seq >= this.floorSeq + window) return 'out-of-window';
    return undefined;
  }

  /** Counts a duplicate from `source`. */
  duplicate(source: SourceId): void {
    this.tally(source).duplicates++;
  }

  /** Records a new block from `source`; the caller checked it first. */
  record(seq: number, bytes: number, source: SourceId): void {
    const tally = this.tally(source);
    const expected = this.expectedFrom(source, tally);
    if (expected !== seq) {
      tally.outOfSequence++;
      this.options.onOutOfSequence?.(seq, source, expected);
    }
    tally.blocks++;
    tally.bytes += bytes;
    tally.lastSeq = Math.max(tally.lastSeq, seq);
    this.highest = Math.max(this.highest, seq);
    this.above.add(seq);
    while (this.above.delete(this.floorSeq)) this.floorSeq++;
  }

  /**
   * Blocks not received in `[floor, upTo)`: by default up to the end of a segment, or just past
   * the highest block seen in a stream. At most `limit` of them.
   */
  missing(upTo?: number, limit = Number.POSITIVE_INFINITY): MissingBlock[] {
    const end = upTo ?? this.options.endSeq ?? this.highest + 1;
    const out: MissingBlock[] = [];
    for (let seq = this.floorSeq; seq < end && out.length < limit; seq++) {
      if (this.above.has(seq)) continue;
      const owedBy = this.options.ownerOf(seq);
      const lastFromOwner = owedBy === undefined ? undefined : this.tallies.get(owedBy)?.lastSeq;
      out.push({ seq, owedBy, skipped: lastFromOwner !== undefined && lastFromOwner > seq });
    }
    return out;
  }

  /** Per-source figures. */
  bySource(): Map<SourceId, SourceTally> {
    return new Map([...this.tallies].map(([source, tally]) => [source, { ...tally }]));
  }

  /** The next block `source` owed after its last arrival (first missing one it owes). */
  private expectedFrom(source: SourceId, tally: SourceTally): number | undefined {
    const from = tally.lastSeq < 0 ? this.floorSeq : tally.lastSeq + 1;
    const limit = this.floorSeq + this.options.window;
    for (let seq = Math.max(from, this.floorSeq); seq < limit; seq++) {
      if (this.options.endSeq !== undefined && seq >= this.options.endSeq) return undefined;
      if (!this.has(seq) && this.options.ownerOf(seq) === source) return seq;
    }
    return undefined;
  }

  private tally(source: SourceId): SourceTally {
    let tally = this.tallies.get(source);
    if (!tally) {
      tally = { blocks: 0, bytes: 0, duplicates: 0, outOfSequence: 0, lastSeq: -1 };
      this.tallies.set(source, tally);
    }
    return tally;
  }
}
