import { describe, expect, it } from 'vitest';
import { StripeError } from './errors.ts';
import { buildPattern, patternShares } from './pattern.ts';
import { changeSources, patternFromProbe, rebalance, type SourceInterval } from './rebalance.ts';
import type { PatternEpoch } from './types.ts';

const shares = (epoch: PatternEpoch): Record<string, number> =>
  Object.fromEntries(patternShares(epoch.pattern));
const BLOCK = 16 * 1024;
/** An interval in which each source delivered `blocks[source]` blocks, the last at `lastSeq`. */
const interval = (blocks: Record<string, number>, lastSeq: number): SourceInterval[] =>
  Object.entries(blocks).map(([source, n]) => ({ source, bytes: n * BLOCK, blocks: n, lastSeq }));

describe('patternFromProbe', () => {
  it('weights sources by the throughput their test block showed', () => {
    const { pattern, weights } = patternFromProbe(
      [
        { source: 'A', bytes: 32_000, elapsedMs: 18, rttMs: 10 }, // 4000 B/ms
        { source: 'B', bytes: 32_000, elapsedMs: 26, rttMs: 10 }, // 2000 B/ms
        { source: 'C', bytes: 32_000, elapsedMs: 42, rttMs: 10 }, // 1000 B/ms
      ],
      { length: 7 },
    );
    expect(weights.map((x) => x.weight)).toEqual([4000, 2000, 1000]);
    expect(Object.fromEntries(patternShares(pattern))).toEqual({ A: 4 / 7, B: 2 / 7, C: 1 / 7 });
  });

  it('uses the whole response time without an RTT and ignores probes that measured nothing', () => {
    const { weights } = patternFromProbe([
      { source: 'A', bytes: 1000, elapsedMs: 10 },
      { source: 'B', bytes: 0, elapsedMs: 10 },
      { source: 'C', bytes: 1000, elapsedMs: Number.POSITIVE_INFINITY },
      { source: 'D', bytes: 1000, elapsedMs: 5, rttMs: 9 }, // noise: credited 1 ms of transfer
    ]);
    expect(weights).toEqual([
      { source: 'A', weight: 100 },
      { source: 'D', weight: 1000 },
    ]);
  });

  it('throws no-sources when no probe succeeded', () => {
    expect(() => patternFromProbe([{ source: 'A', bytes: 0, elapsedMs: 1 }])).toThrow(StripeError);
  });
});

describe('rebalance', () => {
  const current: PatternEpoch = {
    epoch: 3,
    startSeq: 100,
    pattern: buildPattern(
      [
        { source: 'A', weight: 1 },
        { source: 'B', weight: 1 },
        { source: 'C', weight: 1 },
        { source: 'D', weight: 1 },
      ],
      { length: 20 },
    ),
  };

  it('gives each source its share of the bytes it delivered in the last interval', () => {
    const result = rebalance(current, {
      sources: interval({ A: 20, B: 40, C: 60, D: 80 }, 400),
      intervalMs: 1000,
      currentSeq: 400,
    });
    expect(result?.shares).toEqual(
      new Map([
        ['A', 0.1],
        ['B', 0.2],
        ['C', 0.3],
        ['D', 0.4],
      ]),
    );
    expect(result && shares(result.epoch)).toEqual({ A: 0.1, B: 0.2, C: 0.3, D: 0.4 });
    expect(result?.epoch.epoch).toBe(4);
  });

  it('predicts the start as blocksPerSecond × secondsInFuture / share + lastSeq, the highest of all sources', () => {
    const sources: SourceInterval[] = [
      { source: 'A', bytes: 10 * BLOCK, blocks: 10, lastSeq: 395 }, // 10/s ÷ 0.1 × 2 s + 395 = 595
      { source: 'B', bytes: 20 * BLOCK, blocks: 20, lastSeq: 401 }, // 20/s ÷ 0.2 × 2 s + 401 = 601
      { source: 'C', bytes: 30 * BLOCK, blocks: 30, lastSeq: 398 },
      { source: 'D', bytes: 40 * BLOCK, blocks: 40, lastSeq: 399 },
    ];
    const result = rebalance(current, { sources, intervalMs: 1000, currentSeq: 401 }, { secondsInFuture: 2 });
    expect(result?.predictedSeq).toBe(601);
    // Rounded up to the next whole pattern of the running epoch (100 + 20k > 601).
    expect(result?.epoch.startSeq).toBe(620);
  });

  it('always starts on a whole-pattern boundary ahead of the current sequence number', () => {
    for (const currentSeq of [100, 101, 119, 120, 577, 5_000]) {
      for (const seconds of [0, 0.5, 1, 3]) {
        const result = rebalance(
          current,
          { sources: interval({ A: 5, B: 7, C: 1, D: 9 }, currentSeq), intervalMs: 500, currentSeq },
          { secondsInFuture: seconds },
        );
        const start = result?.epoch.startSeq ?? -1;
        expect(start).toBeGreaterThan(currentSeq);
        expect((start - current.startSeq) % current.pattern.length).toBe(0);
      }
    }
  });

  it('is deterministic', () => {
    const report = { sources: interval({ A: 3, B: 9, C: 4, D: 1 }, 250), intervalMs: 700, currentSeq: 250 };
    expect(rebalance(current, report)).toEqual(rebalance(current, report));
  });

  it('drops a source that delivered nothing and ignores bytes from outside the pattern', () => {
    const result = rebalance(current, {
      sources: [...interval({ A: 10, B: 10, C: 20 }, 300), { source: 'origin', bytes: 9e9, blocks: 9 }],
      intervalMs: 1000,
      currentSeq: 300,
    });
    expect(result && shares(result.epoch)).toEqual({ A: 0.25, B: 0.25, C: 0.5 });
  });

  it('drops and adds sources on request, the newcomer taking its share', () => {
    const result = rebalance(
      current,
      { sources: interval({ A: 10, B: 10, C: 10, D: 10 }, 300), intervalMs: 1000, currentSeq: 300 },
      { drop: ['D'], add: [{ source: 'E', weight: 0.25 }] },
    );
    expect(result && shares(result.epoch)).toEqual({ A: 0.25, B: 0.25, C: 0.25, E: 0.25 });
  });

  it('can change the pattern length', () => {
    const result = rebalance(
      current,
      { sources: interval({ A: 1, B: 1, C: 1, D: 1 }, 300), intervalMs: 1000, currentSeq: 300 },
      { length: 8 },
    );
    expect(result?.epoch.pattern).toHaveLength(8);
    expect(((result?.epoch.startSeq ?? 0) - 100) % 20).toBe(0);
  });

  it("returns null when the pattern's sources delivered nothing", () => {
    expect(rebalance(current, { sources: [], intervalMs: 1000, currentSeq: 300 })).toBeNull();
  });

  it('refuses nonsense input', () => {
    expect(() => rebalance(current, { sources: [], intervalMs: 0, currentSeq: 1 })).toThrow(StripeError);
    expect(() => rebalance(current, { sources: [], intervalMs: 1, currentSeq: -1 })).toThrow(StripeError);
    expect(() =>
      rebalance(current, { sources: [{ source: 'A', bytes: -1, blocks: 1 }], intervalMs: 1, currentSeq: 1 }),
    ).toThrow(StripeError);
  });
});

describe('changeSources', () => {
  const current: PatternEpoch = { epoch: 0, startSeq: 0, pattern: ['A', 'A', 'B', 'C', 'C'] };

  it('drops a failed source from the next whole pattern, the others keeping their proportions', () => {
    const next = changeSources(current, { drop: ['B'], afterSeq: 12 });
    expect(next.epoch).toBe(1);
    expect(next.startSeq).toBe(15);
    expect(shares(next)).toEqual({ A: 0.6, C: 0.4 });
  });

  it('adds a new source with the share it was given, like pattern 50B of the document', () => {
    const next = changeSources(current, { drop: ['C'], add: [{ source: 'D', weight: 0.2 }], afterSeq: 47 });
    expect(next.startSeq).toBe(50);
    expect(shares(next)).toEqual({ A: 0.6, B: 0.2, D: 0.2 });
  });

  it('throws no-sources when every source is dropped, and refuses bad shares', () => {
    expect(() => changeSources(current, { drop: ['A', 'B', 'C'], afterSeq: 0 })).toThrow(
      expect.objectContaining({ kind: 'no-sources' }),
    );
    expect(() => changeSources(current, { add: [{ source: 'D', weight: 1 }], afterSeq: 0 })).toThrow(
      StripeError,
    );
    expect(() =>
      changeSources(current, {
        add: [
          { source: 'D', weight: 0.6 },
          { source: 'E', weight: 0.5 },
        ],
        afterSeq: 0,
      }),
    ).toThrow(StripeError);
  });

  it('replaces everything when only newcomers are left', () => {
    const next = changeSources(current, {
      drop: ['A', 'B', 'C'],
      add: [{ source: 'D', weight: 0.5 }],
      afterSeq: 0,
    });
    expect(shares(next)).toEqual({ D: 1 });
  });
});
