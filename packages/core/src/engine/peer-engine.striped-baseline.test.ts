import { describe, expect, it } from 'vitest';
import type { SegmentRef } from '../protocol/index.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { connect, makeNode, patternBytes, sameBytes } from '../testing/engine-harness.ts';

const STREAM = 'live';
const seg = (n: number): SegmentRef => ({ streamId: STREAM, url: `http://origin.test/live/${n}.m4s` });
const SIZE = 400_000;

describe('PeerEngine striped pulls without recalculation (a benchmark baseline)', () => {
  it('keeps an equal first pattern however unequal the parents are', { timeout: 60_000 }, async () => {
    const clock = new ManualClock();
    const child = makeNode(clock, 'child', { striping: { recalculate: false, firstPattern: 'equal' } });
    const rates = [250_000, 750_000];
    const parents = ['slow', 'fast'].map((name, i) => {
      const parent = makeNode(clock, name);
      for (let n = 0; n < 8; n++) parent.store.put(seg(n), patternBytes(SIZE, n + 1));
      connect(clock, parent, child, STREAM, { bytesPerSecond: rates[i] ?? 0 });
      return parent;
    });
    const results = Array.from({ length: 8 }, (_, n) =>
      child.engine.fetchFromPeers(seg(n), { timeoutMs: 60_000 }),
    );
    for (let t = 0; t < 10_000; t += 50) await clock.advance(50);
    const loaded = await Promise.all(results);
    loaded.forEach((l, n) => expect(sameBytes(l?.data, patternBytes(SIZE, n + 1))).toBe(true));

    const [stats] = child.engine.stripeStats();
    expect(stats?.epoch).toBe(0);
    expect(stats?.sources.map((s) => s.share)).toEqual([0.5, 0.5]);
    // Per-source rates are still measured.
    expect(stats?.sources.some((s) => s.bytesPerSecond > 0)).toBe(true);
    const [slow, fast] = parents.map((p) => p.engine.stats().uploadBytes);
    expect(Math.abs((slow ?? 0) - (fast ?? 0))).toBeLessThan(SIZE / 4);
  });
});
