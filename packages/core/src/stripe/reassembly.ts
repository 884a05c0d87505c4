import { MAX_SEGMENT_BYTES } from '../protocol/common.ts';
import { ArrivalLog, type BlockVerdict, type MissingBlock, type SourceTally } from './arrivals.ts';
import { StripeError } from './errors.ts';
import { MAX_SEQ, type SourceId } from './types.ts';

/** Blocks a stream reassembly holds beyond the first missing one, by default. */
export const DEFAULT_REASSEMBLY_WINDOW = 4096;

/** Settings of a {@link StreamReassembly}. */
export interface StreamReassemblyOptions {
  /** Sequence number of the first block to deliver. */
  firstSeq: number;
  /** Who owes each block (e.g. `StripeSchedule.ownerOf`), to attribute gaps and arrivals. */
  ownerOf: (seq: number) => SourceId | undefined;
  /** Blocks held beyond the first missing one; later ones are refused. Default 4096. */
  window?: number;
  /** Called for each out-of-sequence arrival (the document logs them). */
  onOutOfSequence?: (seq: number, source: SourceId, expected: number | undefined) => void;
}

/** A block handed on in order. */
export interface OrderedBlock {
  seq: number;
  payload: Uint8Array;
  source: SourceId;
}

/**
 * Puts a continuous stream of blocks back in order: blocks from any source in any order go in,
 * contiguous runs come out of {@link StreamReassembly.takeReady}. Duplicates (the same block over
 * two paths during make-before-break) are dropped by sequence number.
 */
export class StreamReassembly {
  private readonly log: ArrivalLog;
  private readonly held = new Map<number, OrderedBlock>();
  private next: number;

  constructor(options: StreamReassemblyOptions) {
    checkSeq(options.firstSeq);
    const window = options.window ?? DEFAULT_REASSEMBLY_WINDOW;
    if (!Number.isInteger(window) || window < 1) {
      throw new StripeError('invalid-argument', `window must be a positive integer, got ${window}`);
    }
    this.next = options.firstSeq;
    this.log = new ArrivalLog({
      firstSeq: options.firstSeq,
      endSeq: undefined,
      ownerOf: options.ownerOf,
      window,
      onOutOfSequence: options.onOutOfSequence,
    });
  }

  /** The next block {@link StreamReassembly.takeReady} will hand on. */
  get nextSeq(): number {
    return this.next;
  }

  /** Takes a block that arrived from `source`. */
  accept(seq: number, payload: Uint8Array, source: SourceId): BlockVerdict {
    const verdict = this.log.check(seq);
    if (verdict === 'duplicate') this.log.duplicate(source);
    if (verdict !== undefined) return verdict;
    this.log.record(seq, payload.byteLength, source);
    this.held.set(seq, { seq, payload, source });
    return 'accepted';
  }

  /** Removes and returns the blocks that are now in order. */
  takeReady(): OrderedBlock[] {
    const out: OrderedBlock[] = [];
    for (let block = this.held.get(this.next); block; block = this.held.get(this.next)) {
      this.held.delete(this.next);
      out.push(block);
      this.next++;
    }
    return out;
  }

  /** Blocks not received in `[nextSeq, upTo)` (default: up to the highest seen), and who owes them. */
  missing(upTo?: number, limit?: number): MissingBlock[] {
    return this.log.missing(upTo, limit);
  }

  /** Per-source figures: blocks, bytes, duplicates, out-of-sequence arrivals. */
  bySource(): Map<SourceId, SourceTally> {
    return this.log.bySource();
  }
}

/** Settings of a {@link SegmentAssembly}. */
export interface SegmentAssemblyOptions {
  /** Sequence number of the segment's first block. */
  baseSeq: number;
  /** The segment's size in bytes. */
  size: number;
  /** Bytes per block; the last block holds the rest. */
  blockBytes: number;
  /** Who owes each block (e.g. `StripeSchedule.ownerOf`). */
  ownerOf: (seq: number) => SourceId | undefined;
  /** Called for each out-of-sequence arrival. */
  onOutOfSequence?: (seq: number, source: SourceId, expected: number | undefined) => void;
}

/** Number of blocks a segment of `size` bytes is cut into. */
export function blockCount(size: number, blockBytes: number): number {
  return Math.ceil(size / blockBytes);
}

/**
 * One segment rebuilt from blocks `baseSeq … baseSeq + blockCount − 1` arriving from several
 * sources in any order, written straight into the segment's buffer. Knows which source sent
 * each block, so a segment that fails its hash can be blamed on the right sources.
 */
export class SegmentAssembly {
  readonly baseSeq: number;
  readonly size: number;
  readonly blockBytes: number;
  readonly blockCount: number;
  private readonly log: ArrivalLog;
  private readonly data: Uint8Array;
  private readonly senders: (SourceId | undefined)[];
  private received = 0;

  constructor(options: SegmentAssemblyOptions) {
    const { baseSeq, size, blockBytes } = options;
    checkSeq(baseSeq);
    if (!Number.isInteger(size) || size < 0 || size > MAX_SEGMENT_BYTES) {
      throw new StripeError(
        'invalid-argument',
        `segment size must be 0 to ${MAX_SEGMENT_BYTES}, got ${size}`,
      );
    }
    if (!Number.isInteger(blockBytes) || blockBytes < 1) {
      throw new StripeError('invalid-argument', `blockBytes must be a positive integer, got ${blockBytes}`);
    }
    this.baseSeq = baseSeq;
    this.size = size;
    this.blockBytes = blockBytes;
    this.blockCount = blockCount(size, blockBytes);
    if (baseSeq + this.blockCount - 1 > MAX_SEQ) {
      throw new StripeError('invalid-argument', 'the segment runs past the last sequence number');
    }
    this.data = new Uint8Array(size);
    this.senders = new Array<SourceId | undefined>(this.blockCount).fill(undefined);
    this.log = new ArrivalLog({
      firstSeq: baseSeq,
      endSeq: baseSeq + this.blockCount,
      ownerOf: options.ownerOf,
      window: Math.max(1, this.blockCount),
      onOutOfSequence: options.onOutOfSequence,
    });
  }

  /** Sequence number after the segment's last block. */
  get endSeq(): number {
    return this.baseSeq + this.blockCount;
  }

  /** The buffer blocks are written into (final below {@link SegmentAssembly.contiguousBytes}). */
  get buffer(): Uint8Array {
    return this.data;
  }

  /** Bytes from the start of the segment received without a gap (what can be forwarded in order). */
  get contiguousBytes(): number {
    return Math.min(this.size, (this.log.floor - this.baseSeq) * this.blockBytes);
  }

  /** Whether every block has arrived. */
  get complete(): boolean {
    return this.received === this.blockCount;
  }

  /** Byte length block `seq` must have. */
  blockLength(seq: number): number {
    const index = seq - this.baseSeq;
    return Math.min(this.blockBytes, this.size - index * this.blockBytes);
  }

  /** Takes a block that arrived from `source`, copying it into place. */
  accept(seq: number, payload: Uint8Array, source: SourceId): BlockVerdict {
    const verdict = this.log.check(seq);
    if (verdict === 'duplicate') this.log.duplicate(source);
    if (verdict !== undefined) return verdict;
    if (payload.byteLength !== this.blockLength(seq)) return 'bad-size';
    const index = seq - this.baseSeq;
    this.data.set(payload, index * this.blockBytes);
    this.senders[index] = source;
    this.received++;
    this.log.record(seq, payload.byteLength, source);
    return 'accepted';
  }

  /** The whole segment; throws until {@link SegmentAssembly.complete}. */
  bytes(): Uint8Array {
    if (!this.complete) {
      throw new StripeError(
        'invalid-argument',
        `segment at ${this.baseSeq} has ${this.missing().length} blocks missing`,
      );
    }
    return this.data;
  }

  /** Blocks not received yet, and who owes them. */
  missing(limit?: number): MissingBlock[] {
    return this.log.missing(undefined, limit);
  }

  /** Which blocks each source supplied (to blame them when the segment fails its hash). */
  contributors(): Map<SourceId, number[]> {
    const out = new Map<SourceId, number[]>();
    this.senders.forEach((source, index) => {
      if (source === undefined) return;
      const list = out.get(source) ?? [];
      list.push(this.baseSeq + index);
      out.set(source, list);
    });
    return out;
  }

  /** Per-source figures: blocks, bytes, duplicates, out-of-sequence arrivals. */
  bySource(): Map<SourceId, SourceTally> {
    return this.log.bySource();
  }
}

function checkSeq(seq: number): void {
  if (!Number.isInteger(seq) || seq < 0 || seq > MAX_SEQ) {
    throw new StripeError('invalid-argument', `not a sequence number: ${seq}`);
  }
}
