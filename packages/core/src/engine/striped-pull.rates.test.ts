import { describe, expect, it } from 'vitest';
import type { SegmentRef } from '../protocol/index.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { connect, makeNode } from '../testing/engine-harness.ts';

const STREAM = 'vod';
const seg = (n: number): SegmentRef => ({ streamId: STREAM, url: `http://origin.test/vod/${n}.m4s` });
const SIZE = 1024 * 1024;

describe('StripedPull rates', () => {
  it(
    'weighs parents capped 1:2:3:4 by their caps, back to back with four segments in flight',
    { timeout: 60_000 },
    async () => {
      const clock = new ManualClock();
      const child = makeNode(clock, 'child', { segmentSize: () => SIZE });
      const caps = [250_000, 500_000, 750_000, 1_000_000];
      const data = new Uint8Array(SIZE);
      caps.forEach((cap, i) => {
        // The cap is the parent's own upload scheduler (with its burst), as on a relay.
        const parent = makeNode(clock, `p${i}`, { capacityBytes: 80 * SIZE, uploadBytesPerSecond: cap });
        for (let n = 0; n < 70; n++) parent.store.put(seg(n), data);
        connect(clock, parent, child, STREAM, { latencyMs: 1 });
      });
      await clock.advance(100);
      let next = 0;
      const end = clock.now() + 20_000;
      const pull = async (): Promise<void> => {
        while (next < 70 && clock.now() < end) {
          const n = next++;
          await child.engine.fetchFromPeers(seg(n), { timeoutMs: 60_000 });
          child.store.delete(seg(n));
        }
      };
      const pulls = Array.from({ length: 4 }, pull);
      const shares: number[][] = [];
      for (let t = 0; t < 25_000; t += 50) {
        await clock.advance(50);
        const [stats] = child.engine.stripeStats();
        if (t >= 8000 && t < 20_000 && t % 500 === 0 && stats) shares.push(stats.sources.map((s) => s.share));
      }
      await Promise.all(pulls);
      // Averaged over the samples after the first few intervals: each parent's share is its cap's.
      const mean = caps.map((_, i) => shares.reduce((sum, s) => sum + (s[i] ?? 0), 0) / shares.length);
      mean.forEach((share, i) => expect(share, `p${i}: ${mean.join(', ')}`).toBeCloseTo((i + 1) / 10, 1));
    },
  );
});
