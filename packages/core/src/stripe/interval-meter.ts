import type { IntervalReport, SourceInterval } from './rebalance.ts';
import type { SourceId } from './types.ts';

/**
 * Counts what each source delivered since the last recalculation (`mLastIntervalBytes[n]`,
 * blocks and the latest sequence number), for `rebalance`. Times come from the caller's
 * clock, so it stays pure.
 */
export class IntervalMeter {
  private sources = new Map<SourceId, SourceInterval>();
  private startedAt: number;
  private highest = -1;

  constructor(now: number) {
    this.startedAt = now;
  }

  /** Counts one accepted block from `source`. */
  record(source: SourceId, seq: number, bytes: number): void {
    const entry = this.sources.get(source) ?? { source, bytes: 0, blocks: 0, lastSeq: seq };
    entry.bytes += bytes;
    entry.blocks++;
    entry.lastSeq = Math.max(entry.lastSeq ?? seq, seq);
    this.sources.set(source, entry);
    this.highest = Math.max(this.highest, seq);
  }

  /** Milliseconds since the interval began. */
  elapsed(now: number): number {
    return now - this.startedAt;
  }

  /**
   * Closes the interval at `now` and starts the next. Returns null when no time passed or no
   * block arrived yet (nothing to rebalance on).
   */
  take(now: number): IntervalReport | null {
    const intervalMs = now - this.startedAt;
    const sources = [...this.sources.values()];
    this.sources = new Map();
    this.startedAt = now;
    if (intervalMs <= 0 || this.highest < 0) return null;
    return { sources, intervalMs, currentSeq: this.highest };
  }
}
