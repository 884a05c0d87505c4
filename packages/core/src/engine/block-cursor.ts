import type { BlockPlan, BlockSlice } from './upload-scheduler.ts';

/**
 * The blocks of one segment a striped upload sends, in order: those `wanted(seq)` says, asked
 * lazily so that a pattern arriving mid-segment applies to the blocks not yet sent.
 */
export class BlockCursor implements BlockPlan {
  private index = 0;
  private readonly count: number;

  constructor(
    readonly sub: number,
    private readonly baseSeq: number,
    private readonly size: number,
    private readonly blockBytes: number,
    private readonly wanted: (seq: number) => boolean,
  ) {
    this.count = Math.ceil(size / blockBytes);
  }

  peek(readable: number): BlockSlice | 'wait' | 'done' {
    for (; this.index < this.count; this.index++) {
      const start = this.index * this.blockBytes;
      const end = Math.min(this.size, start + this.blockBytes);
      // Not skipped before it is at hand: a pattern arriving meanwhile may make it ours.
      if (end > readable) return 'wait';
      if (this.wanted(this.baseSeq + this.index)) return { seq: this.baseSeq + this.index, start, end };
    }
    return 'done';
  }

  consume(): void {
    this.index++;
  }
}
