import { describe, expect, it } from 'vitest';
import type { SegmentRef } from '../protocol/index.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { connect, makeNode, patternBytes, sameBytes } from '../testing/engine-harness.ts';

const STREAM = 'vod';
const seg = (n: number): SegmentRef => ({ streamId: STREAM, url: `http://origin.test/vod/${n}.m4s` });
const SIZE = 200_000;

describe('StripedPull', () => {
  it('numbers a segment asked for after an earlier one learnt its size apart from that one', async () => {
    const clock = new ManualClock();
    // No segment sizes: each pull reserves sequence numbers for the largest segment until the
    // first stripe-have, then keeps only its blocks. Equal shares of unequal parents: the fast
    // one sends blocks of the next segment while the slow one still owes blocks of the one before.
    const logged: string[] = [];
    const child = makeNode(clock, 'child', {
      striping: { firstPattern: 'equal', recalculate: false },
      log: (format) => logged.push(format),
    });
    const rates = { a: 100_000, b: 600_000 };
    for (const [name, bytesPerSecond] of Object.entries(rates)) {
      const parent = makeNode(clock, name);
      for (let n = 0; n < 4; n++) parent.store.put(seg(n), patternBytes(SIZE, n + 1));
      connect(clock, parent, child, STREAM, { bytesPerSecond });
    }
    const first = [0, 1, 2].map((n) => child.engine.fetchFromPeers(seg(n), { timeoutMs: 30_000 }));
    // Every stripe-have is in (the last one shrank the reservation), the last segment is not
    // complete yet.
    for (let t = 0; t < 1000; t += 50) await clock.advance(50);
    expect(child.store.has(seg(2))).toBe(false);
    const later = child.engine.fetchFromPeers(seg(3), { timeoutMs: 30_000 });
    for (let t = 0; t < 10_000; t += 50) await clock.advance(50);
    const loaded = await Promise.all([...first, later]);
    loaded.forEach((l, n) => {
      expect(l?.source).toBe('p2p');
      expect(sameBytes(l?.data, patternBytes(SIZE, n + 1)), `segment ${n}`).toBe(true);
    });
    // All four came striped, and no block was taken for one of another segment.
    expect(logged.filter((line) => line.startsWith('bad frame'))).toEqual([]);
    expect(child.engine.parents(STREAM).sort()).toEqual(['a', 'b']);
    expect(child.engine.stripeStats()[0]?.sources.every((s) => s.blocks > 0)).toBe(true);
  });
});
