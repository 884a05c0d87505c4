import { segmentKey, type SegmentKey, type SegmentRef, type StreamId } from '../protocol/index.ts';
import type { Logger } from '../engine/types.ts';

/** A change to what the store holds, for the host's table of contents (`have` messages). */
export interface StoreChange {
  /** `added` when a key becomes present, `removed` when it leaves (evicted or deleted). */
  type: 'added' | 'removed';
  streamId: StreamId;
  key: SegmentKey;
  /** Size of the segment's data in bytes. */
  bytes: number;
  /** Why a key was removed: pushed out by newer data, or deleted by the host. */
  reason?: 'evicted' | 'deleted';
}

/** Listener for {@link StoreChange}s; the store's state is consistent when it is called. */
export type StoreListener = (change: StoreChange) => void;

/** Settings of a {@link SegmentStore}. */
export interface SegmentStoreOptions {
  /** Upper bound on the bytes of segment data held; 0 disables caching. */
  capacityBytes: number;
  /** Receives listener failures (a listener that throws never corrupts the store). */
  log?: Logger;
}

interface Entry {
  streamId: StreamId;
  key: SegmentKey;
  data: Uint8Array;
}

/**
 * Byte-bounded LRU cache of segment data, keyed per stream by {@link segmentKey}. Keys are scoped
 * to their stream so a peer registered for one stream can never read another stream's data.
 * Stored arrays are kept by reference: callers must not mutate data after `put` or `get`.
 */
export class SegmentStore {
  readonly capacityBytes: number;
  /** Map iteration order is recency order: the first entry is the least recently used. */
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<{ streamId: StreamId | undefined; fn: StoreListener }>();
  private readonly log: Logger | undefined;
  private totalBytes = 0;

  constructor(options: SegmentStoreOptions) {
    if (!Number.isSafeInteger(options.capacityBytes) || options.capacityBytes < 0) {
      throw new RangeError(`capacityBytes must be a non-negative integer, got ${options.capacityBytes}`);
    }
    this.capacityBytes = options.capacityBytes;
    this.log = options.log;
  }

  /** Bytes of segment data currently held; never above {@link SegmentStore.capacityBytes}. */
  get bytes(): number {
    return this.totalBytes;
  }

  /** Number of segments held. */
  get size(): number {
    return this.entries.size;
  }

  /** Whether the segment is held; does not count as a use. */
  has(ref: SegmentRef): boolean {
    return this.entries.has(internalKey(ref.streamId, segmentKey(ref)));
  }

  /** Whether `key` of `streamId` is held; does not count as a use. */
  hasKey(streamId: StreamId, key: SegmentKey): boolean {
    return this.entries.has(internalKey(streamId, key));
  }

  /** The segment's data, marking it most recently used. */
  get(ref: SegmentRef): Uint8Array | undefined {
    const id = internalKey(ref.streamId, segmentKey(ref));
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    this.entries.set(id, entry);
    return entry.data;
  }

  /**
   * Stores `data` as the segment, evicting least recently used segments to make room. Returns
   * false (and changes nothing) when `data` alone is larger than the capacity. Putting a key that
   * is already held replaces its data and marks it most recently used.
   */
  put(ref: SegmentRef, data: Uint8Array): boolean {
    if (data.byteLength > this.capacityBytes) return false;
    const key = segmentKey(ref);
    const id = internalKey(ref.streamId, key);
    const previous = this.entries.get(id);
    if (previous) {
      this.entries.delete(id);
      this.totalBytes -= previous.data.byteLength;
    }
    const changes: StoreChange[] = [];
    for (const [victimId, victim] of this.entries) {
      if (this.totalBytes + data.byteLength <= this.capacityBytes) break;
      this.entries.delete(victimId);
      this.totalBytes -= victim.data.byteLength;
      changes.push(removal(victim, 'evicted'));
    }
    this.entries.set(id, { streamId: ref.streamId, key, data });
    this.totalBytes += data.byteLength;
    if (!previous) changes.push({ type: 'added', streamId: ref.streamId, key, bytes: data.byteLength });
    this.emit(changes);
    return true;
  }

  /** Removes the segment; returns whether it was held. */
  delete(ref: SegmentRef): boolean {
    return this.deleteKey(ref.streamId, segmentKey(ref));
  }

  /** Removes `key` of `streamId`; returns whether it was held. */
  deleteKey(streamId: StreamId, key: SegmentKey): boolean {
    const id = internalKey(streamId, key);
    const entry = this.entries.get(id);
    if (!entry) return false;
    this.entries.delete(id);
    this.totalBytes -= entry.data.byteLength;
    this.emit([removal(entry, 'deleted')]);
    return true;
  }

  /** Removes every segment of `streamId` (e.g. when the node stops serving it). */
  clearStream(streamId: StreamId): number {
    const changes: StoreChange[] = [];
    for (const [id, entry] of this.entries) {
      if (entry.streamId !== streamId) continue;
      this.entries.delete(id);
      this.totalBytes -= entry.data.byteLength;
      changes.push(removal(entry, 'deleted'));
    }
    this.emit(changes);
    return changes.length;
  }

  /** Keys held for `streamId`, least recently used first (the initial table of contents). */
  keys(streamId: StreamId): SegmentKey[] {
    const out: SegmentKey[] = [];
    for (const entry of this.entries.values()) if (entry.streamId === streamId) out.push(entry.key);
    return out;
  }

  /**
   * Calls `listener` for every key added to or removed from the store, or only for `streamId`'s
   * keys when given. Returns an unsubscriber.
   */
  subscribe(listener: StoreListener, streamId?: StreamId): () => void {
    const registration = { streamId, fn: listener };
    this.listeners.add(registration);
    return () => {
      this.listeners.delete(registration);
    };
  }

  private emit(changes: readonly StoreChange[]): void {
    for (const change of changes) {
      for (const { streamId, fn } of [...this.listeners]) {
        if (streamId !== undefined && streamId !== change.streamId) continue;
        try {
          fn(change);
        } catch (err) {
          this.log?.('store listener failed on %s %s: %O', change.type, change.key, err);
        }
      }
    }
  }
}

function internalKey(streamId: StreamId, key: SegmentKey): string {
  // Stream ids are slugs and never contain a space, so the pair cannot be ambiguous.
  return `${streamId} ${key}`;
}

function removal(entry: Entry, reason: 'evicted' | 'deleted'): StoreChange {
  return { type: 'removed', streamId: entry.streamId, key: entry.key, bytes: entry.data.byteLength, reason };
}
