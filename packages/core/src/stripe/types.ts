/**
 * A source of a striped pull: the node id of a parent (or, in route mode, of the routing relay a
 * route goes through). Patterns name sources; letters are only their wire spelling.
 */
export type SourceId = string;

/** Highest block sequence number; sequence numbers travel as u32 in block frames. */
export const MAX_SEQ = 0xffff_ffff;

/** A source and how much of the stream it should carry, in any unit (only ratios matter). */
export interface SourceWeight {
  source: SourceId;
  /** Non-negative and finite; 0 means "no blocks". */
  weight: number;
}

/**
 * A pattern: slot `i` names the source that sends every block whose position in its epoch is
 * `i` modulo the pattern's length (the document's `AABCC…` string, with sources for letters).
 */
export type Pattern = readonly SourceId[];

/** A pattern together with the block from which it applies. */
export interface PatternEpoch {
  /** Counts patterns of one subscription: each new pattern has a higher epoch. */
  epoch: number;
  /** Sequence number of the first block the pattern applies to (its slot 0). */
  startSeq: number;
  pattern: Pattern;
}
