import type { Clock, TimerHandle } from '../engine/types.ts';
import type { SegmentKey, StreamId } from '../protocol/index.ts';

/** Most keys one `have` message may carry per list (the protocol's bound). */
export const MAX_HAVE_KEYS = 512;

/** One `have` message's content. */
export interface HaveBatch {
  streamId: StreamId;
  added: SegmentKey[];
  removed: SegmentKey[];
}

/**
 * Collects store additions and removals and flushes them as `have` batches at most every
 * `intervalMs`. A key added and removed within one interval cancels out; batches are split so no
 * list exceeds {@link MAX_HAVE_KEYS}.
 */
export class HaveBatcher {
  private readonly pending = new Map<StreamId, { added: Set<SegmentKey>; removed: Set<SegmentKey> }>();
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly flushTo: (batch: HaveBatch) => void,
  ) {}

  added(streamId: StreamId, key: SegmentKey): void {
    const entry = this.entry(streamId);
    if (!entry.removed.delete(key)) entry.added.add(key);
    this.schedule();
  }

  removed(streamId: StreamId, key: SegmentKey): void {
    const entry = this.entry(streamId);
    if (!entry.added.delete(key)) entry.removed.add(key);
    this.schedule();
  }

  /** Sends everything pending now. */
  flush(): void {
    this.cancelTimer();
    const streams = [...this.pending.entries()];
    this.pending.clear();
    for (const [streamId, { added, removed }] of streams) {
      for (const batch of split(streamId, [...added], [...removed])) this.flushTo(batch);
    }
  }

  /** Drops everything pending (e.g. before a full inventory replaces it), or only `streamId`'s. */
  clear(streamId?: StreamId): void {
    if (streamId === undefined) this.pending.clear();
    else this.pending.delete(streamId);
    if (this.pending.size === 0) this.cancelTimer();
  }

  private entry(streamId: StreamId): { added: Set<SegmentKey>; removed: Set<SegmentKey> } {
    let entry = this.pending.get(streamId);
    if (!entry) {
      entry = { added: new Set(), removed: new Set() };
      this.pending.set(streamId, entry);
    }
    return entry;
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.intervalMs);
  }

  private cancelTimer(): void {
    if (this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** Splits key lists into batches of at most {@link MAX_HAVE_KEYS} each; none when both are empty. */
export function split(streamId: StreamId, added: SegmentKey[], removed: SegmentKey[]): HaveBatch[] {
  const batches: HaveBatch[] = [];
  for (let i = 0; i < Math.max(added.length, removed.length); i += MAX_HAVE_KEYS) {
    batches.push({
      streamId,
      added: added.slice(i, i + MAX_HAVE_KEYS),
      removed: removed.slice(i, i + MAX_HAVE_KEYS),
    });
  }
  return batches;
}
