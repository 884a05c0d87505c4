import type { SegmentKey, StreamId } from '@p2pcdn/core';

/** A segment key and its media sequence number (`EXT-X-MEDIA-SEQUENCE` + position). */
export interface SequencedKey {
  key: SegmentKey;
  sequence: number;
}

/** What the index holds of one stream. */
export interface IndexedRange {
  /** Lowest and highest sequence number indexed. */
  first: number;
  last: number;
  /** Distinct sequence numbers indexed. */
  segments: number;
}

interface StreamEntry {
  /** Sequence numbers, ascending. */
  order: number[];
  bySequence: Map<number, SegmentKey[]>;
  byKey: Map<SegmentKey, number>;
}

/**
 * Which segment key carries which media sequence number, per stream. Nodes name segments by key
 * (their absolute URL, see `segmentKey`) and nothing they send says where a segment sits in the
 * stream: only the publisher's playlist does, so the coordinator learns it there (see
 * `readPlaylistSegments`) rather than taking a node's word for it. A sequence number may carry
 * several keys, one per variant of a master playlist, up to `keysPerSequence`. Live streams slide:
 * the index keeps what it saw, up to `maxSequences` per stream, lowest numbers dropped first, so
 * segments relays still hold after they left the playlist keep their number.
 */
export class SequenceIndex {
  private readonly streams = new Map<StreamId, StreamEntry>();

  constructor(
    private readonly maxSequences = 8192,
    private readonly keysPerSequence = 8,
  ) {}

  /** Adds what a playlist read says; a key seen again under another number moves there. */
  record(streamId: StreamId, entries: readonly SequencedKey[]): void {
    let st = this.streams.get(streamId);
    if (!st) this.streams.set(streamId, (st = { order: [], bySequence: new Map(), byKey: new Map() }));
    for (const { key, sequence } of entries) {
      if (!Number.isSafeInteger(sequence) || sequence < 0) continue;
      const was = st.byKey.get(key);
      if (was === sequence) continue;
      if (was !== undefined) this.unlink(st, key, was);
      let keys = st.bySequence.get(sequence);
      if (!keys) {
        keys = [];
        st.bySequence.set(sequence, keys);
        insertSorted(st.order, sequence);
      }
      if (keys.length >= this.keysPerSequence) continue;
      keys.push(key);
      st.byKey.set(key, sequence);
    }
    while (st.order.length > this.maxSequences) {
      const lowest = st.order.shift();
      if (lowest === undefined) break;
      for (const key of st.bySequence.get(lowest) ?? []) st.byKey.delete(key);
      st.bySequence.delete(lowest);
    }
  }

  /** The sequence number of `key`, if the stream's playlist listed it. */
  sequenceOf(streamId: StreamId, key: SegmentKey): number | undefined {
    return this.streams.get(streamId)?.byKey.get(key);
  }

  /** The keys that carry sequence number `sequence` (one per variant), or none. */
  keysAt(streamId: StreamId, sequence: number): readonly SegmentKey[] {
    return this.streams.get(streamId)?.bySequence.get(sequence) ?? [];
  }

  /** The sequence numbers indexed for `streamId`, or undefined when none are. */
  range(streamId: StreamId): IndexedRange | undefined {
    const order = this.streams.get(streamId)?.order;
    const first = order?.[0];
    const last = order?.at(-1);
    if (!order || first === undefined || last === undefined) return undefined;
    return { first, last, segments: order.length };
  }

  drop(streamId: StreamId): void {
    this.streams.delete(streamId);
  }

  private unlink(st: StreamEntry, key: SegmentKey, sequence: number): void {
    st.byKey.delete(key);
    const keys = st.bySequence.get(sequence);
    const at = keys?.indexOf(key) ?? -1;
    if (keys && at >= 0) keys.splice(at, 1);
    if (keys?.length !== 0) return;
    st.bySequence.delete(sequence);
    const i = lowerBound(st.order, sequence);
    if (st.order[i] === sequence) st.order.splice(i, 1);
  }
}

function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? Infinity) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts into an ascending array; appending (a live playlist growing) is the cheap case. */
function insertSorted(sorted: number[], value: number): void {
  const last = sorted.at(-1);
  if (last === undefined || last < value) sorted.push(value);
  else sorted.splice(lowerBound(sorted, value), 0, value);
}
