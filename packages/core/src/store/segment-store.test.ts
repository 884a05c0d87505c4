import { describe, expect, it } from 'vitest';
import { segmentKey, type SegmentRef } from '../protocol/index.ts';
import { SegmentStore, type StoreChange } from './segment-store.ts';

const ref = (n: number, streamId = 'live'): SegmentRef => ({
  streamId,
  url: `http://origin.test/${streamId}/seg-${n}.m4s`,
});
const bytes = (n: number, fill = 0): Uint8Array => new Uint8Array(n).fill(fill);

function recorder(store: SegmentStore, streamId?: string): StoreChange[] {
  const seen: StoreChange[] = [];
  store.subscribe((change) => seen.push(change), streamId);
  return seen;
}

describe('SegmentStore', () => {
  it('returns what was put and counts its bytes', () => {
    const store = new SegmentStore({ capacityBytes: 100 });
    expect(store.put(ref(1), bytes(40, 7))).toBe(true);
    expect(store.has(ref(1))).toBe(true);
    expect(store.get(ref(1))).toEqual(bytes(40, 7));
    expect(store.bytes).toBe(40);
    expect(store.size).toBe(1);
    expect(store.capacityBytes).toBe(100);
  });

  it('never holds more than its capacity while filling up', () => {
    const store = new SegmentStore({ capacityBytes: 1000 });
    for (let i = 0; i < 200; i++) {
      store.put(ref(i), bytes(1 + ((i * 37) % 300)));
      expect(store.bytes).toBeLessThanOrEqual(1000);
    }
    const held = store.keys('live').length;
    expect(held).toBe(store.size);
    expect(held).toBeGreaterThan(2);
  });

  it('evicts the least recently used segment first', () => {
    const store = new SegmentStore({ capacityBytes: 30 });
    store.put(ref(1), bytes(10));
    store.put(ref(2), bytes(10));
    store.put(ref(3), bytes(10));
    store.get(ref(1)); // 1 is now the most recently used; 2 is the oldest
    store.put(ref(4), bytes(10));
    expect(store.has(ref(2))).toBe(false);
    expect(store.has(ref(1))).toBe(true);
    expect(store.has(ref(3))).toBe(true);
    expect(store.has(ref(4))).toBe(true);
  });

  it('does not count has() as a use', () => {
    const store = new SegmentStore({ capacityBytes: 20 });
    store.put(ref(1), bytes(10));
    store.put(ref(2), bytes(10));
    store.has(ref(1));
    store.put(ref(3), bytes(10));
    expect(store.has(ref(1))).toBe(false);
    expect(store.has(ref(2))).toBe(true);
  });

  it('evicts as many old segments as a large newcomer needs', () => {
    const store = new SegmentStore({ capacityBytes: 100 });
    for (let i = 0; i < 10; i++) store.put(ref(i), bytes(10));
    store.put(ref(99), bytes(35));
    expect(store.bytes).toBe(95);
    expect(store.keys('live')).toEqual([4, 5, 6, 7, 8, 9, 99].map((i) => segmentKey(ref(i))));
  });

  it('refuses a single segment larger than the capacity and changes nothing', () => {
    const store = new SegmentStore({ capacityBytes: 50 });
    store.put(ref(1), bytes(30));
    const seen = recorder(store);
    expect(store.put(ref(2), bytes(51))).toBe(false);
    expect(store.has(ref(2))).toBe(false);
    expect(store.has(ref(1))).toBe(true);
    expect(store.bytes).toBe(30);
    expect(seen).toEqual([]);
  });

  it('accepts a segment exactly the size of the capacity', () => {
    const store = new SegmentStore({ capacityBytes: 50 });
    store.put(ref(1), bytes(20));
    expect(store.put(ref(2), bytes(50))).toBe(true);
    expect(store.bytes).toBe(50);
    expect(store.has(ref(1))).toBe(false);
  });

  it('accounts a re-put of the same key once, with the new size', () => {
    const store = new SegmentStore({ capacityBytes: 100 });
    const seen = recorder(store);
    store.put(ref(1), bytes(40));
    store.put(ref(1), bytes(25, 3));
    expect(store.bytes).toBe(25);
    expect(store.size).toBe(1);
    expect(store.get(ref(1))).toEqual(bytes(25, 3));
    expect(seen.map((c) => c.type)).toEqual(['added']);
  });

  it('re-put of a grown segment evicts others but never itself', () => {
    const store = new SegmentStore({ capacityBytes: 100 });
    store.put(ref(1), bytes(40));
    store.put(ref(2), bytes(40));
    store.put(ref(1), bytes(90));
    expect(store.has(ref(1))).toBe(true);
    expect(store.has(ref(2))).toBe(false);
    expect(store.bytes).toBe(90);
  });

  it('re-put of an oversize segment keeps the old data', () => {
    const store = new SegmentStore({ capacityBytes: 100 });
    store.put(ref(1), bytes(40, 1));
    expect(store.put(ref(1), bytes(101))).toBe(false);
    expect(store.get(ref(1))).toEqual(bytes(40, 1));
    expect(store.bytes).toBe(40);
  });

  it('re-put marks the segment most recently used', () => {
    const store = new SegmentStore({ capacityBytes: 20 });
    store.put(ref(1), bytes(10));
    store.put(ref(2), bytes(10));
    store.put(ref(1), bytes(10));
    store.put(ref(3), bytes(10));
    expect(store.has(ref(1))).toBe(true);
    expect(store.has(ref(2))).toBe(false);
  });

  it('deletes segments and gives their bytes back', () => {
    const store = new SegmentStore({ capacityBytes: 100 });
    store.put(ref(1), bytes(40));
    expect(store.delete(ref(1))).toBe(true);
    expect(store.delete(ref(1))).toBe(false);
    expect(store.bytes).toBe(0);
    expect(store.size).toBe(0);
  });

  it('keeps byte ranges of one resource apart', () => {
    const store = new SegmentStore({ capacityBytes: 100 });
    const whole = ref(1);
    const first = { ...whole, range: { start: 0, end: 10 } };
    const second = { ...whole, range: { start: 10, end: 20 } };
    store.put(first, bytes(10, 1));
    store.put(second, bytes(10, 2));
    expect(store.get(first)).toEqual(bytes(10, 1));
    expect(store.get(second)).toEqual(bytes(10, 2));
    expect(store.has(whole)).toBe(false);
  });

  it('scopes keys to their stream', () => {
    const store = new SegmentStore({ capacityBytes: 100 });
    const a: SegmentRef = { streamId: 'a', url: 'http://origin.test/same.ts' };
    const b: SegmentRef = { streamId: 'b', url: 'http://origin.test/same.ts' };
    store.put(a, bytes(10));
    expect(store.has(b)).toBe(false);
    expect(store.hasKey('a', segmentKey(a))).toBe(true);
    expect(store.keys('b')).toEqual([]);
  });

  it('reports added and evicted keys per stream', () => {
    const store = new SegmentStore({ capacityBytes: 20 });
    const live = recorder(store, 'live');
    const all = recorder(store);
    store.put(ref(1, 'live'), bytes(10));
    store.put(ref(1, 'vod'), bytes(10));
    store.put(ref(2, 'vod'), bytes(10));
    expect(live).toEqual([
      { type: 'added', streamId: 'live', key: segmentKey(ref(1, 'live')), bytes: 10 },
      { type: 'removed', streamId: 'live', key: segmentKey(ref(1, 'live')), bytes: 10, reason: 'evicted' },
    ]);
    expect(all.filter((c) => c.streamId === 'vod').map((c) => c.type)).toEqual(['added', 'added']);
  });

  it('reports deletions and stream clears', () => {
    const store = new SegmentStore({ capacityBytes: 100 });
    store.put(ref(1, 'a'), bytes(10));
    store.put(ref(2, 'a'), bytes(10));
    store.put(ref(3, 'b'), bytes(10));
    const seen = recorder(store);
    store.delete(ref(1, 'a'));
    expect(store.clearStream('a')).toBe(1);
    expect(seen.map((c) => [c.type, c.reason, c.key])).toEqual([
      ['removed', 'deleted', segmentKey(ref(1, 'a'))],
      ['removed', 'deleted', segmentKey(ref(2, 'a'))],
    ]);
    expect(store.bytes).toBe(10);
  });

  it('stays consistent when a listener throws', () => {
    const logged: string[] = [];
    const store = new SegmentStore({ capacityBytes: 10, log: (f) => logged.push(f) });
    store.subscribe(() => {
      throw new Error('host bug');
    });
    const later = recorder(store);
    store.put(ref(1), bytes(10));
    store.put(ref(2), bytes(10));
    expect(store.bytes).toBe(10);
    expect(store.has(ref(2))).toBe(true);
    expect(later).toHaveLength(3);
    expect(logged).toHaveLength(3);
  });

  it('stops calling a listener after unsubscribe', () => {
    const store = new SegmentStore({ capacityBytes: 10 });
    const seen: StoreChange[] = [];
    const off = store.subscribe((c) => seen.push(c));
    off();
    store.put(ref(1), bytes(1));
    expect(seen).toEqual([]);
  });

  it('with zero capacity stores nothing', () => {
    const store = new SegmentStore({ capacityBytes: 0 });
    expect(store.put(ref(1), bytes(1))).toBe(false);
    expect(store.put(ref(2), bytes(0))).toBe(true);
    expect(store.bytes).toBe(0);
  });

  it('rejects a nonsensical capacity', () => {
    expect(() => new SegmentStore({ capacityBytes: -1 })).toThrow(RangeError);
    expect(() => new SegmentStore({ capacityBytes: 1.5 })).toThrow(RangeError);
  });
});
