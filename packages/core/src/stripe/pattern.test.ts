import { describe, expect, it } from 'vitest';
import { StripeError } from './errors.ts';
import { assignLetters, decodePattern, encodePattern } from './letters.ts';
import {
  apportion,
  buildPattern,
  interleave,
  nextBoundary,
  patternExecuted,
  patternShares,
  slotOwner,
} from './pattern.ts';
import type { Pattern, SourceWeight } from './types.ts';

const w = (entries: Record<string, number>): SourceWeight[] =>
  Object.entries(entries).map(([source, weight]) => ({ source, weight }));
const count = (pattern: Pattern): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const source of pattern) out[source] = (out[source] ?? 0) + 1;
  return out;
};
/** Longest distance between two consecutive slots of `source`, wrapping around the pattern. */
const maxGap = (pattern: Pattern, source: string): number => {
  const at = pattern.flatMap((s, i) => (s === source ? [i] : []));
  const first = at[0] ?? 0;
  return Math.max(...at.map((i, k) => (at[k + 1] ?? first + pattern.length) - i));
};

describe('buildPattern', () => {
  it('gives each source exactly its share when the weights divide the length', () => {
    const pattern = buildPattern(w({ A: 2, B: 4, C: 6, D: 8 }), { length: 20 });
    expect(pattern).toHaveLength(20);
    expect(count(pattern)).toEqual({ A: 2, B: 4, C: 6, D: 8 });
  });

  it('rounds by largest remainder, so no share is off by a whole slot', () => {
    const weights = w({ A: 1, B: 1, C: 1 });
    expect(count(buildPattern(weights, { length: 10 }))).toEqual({ A: 4, B: 3, C: 3 });
    const uneven = w({ A: 0.55, B: 0.3, C: 0.15 });
    const counts = count(buildPattern(uneven, { length: 7 }));
    for (const { source, weight } of uneven) {
      expect(Math.abs((counts[source] ?? 0) - weight * 7)).toBeLessThan(1);
    }
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(7);
  });

  it('matches random weights within one slot per source by largest remainder', () => {
    let seed = 7;
    const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(random() * 6);
      const length = n + Math.floor(random() * 60);
      const weights = Array.from({ length: n }, (_, i) => ({ source: `s${i}`, weight: 0.05 + random() }));
      const total = weights.reduce((sum, x) => sum + x.weight, 0);
      const counts = count(buildPattern(weights, { length, keepEverySource: false }));
      for (const { source, weight } of weights) {
        expect(Math.abs((counts[source] ?? 0) - (weight / total) * length)).toBeLessThan(1);
      }
    }
  });

  it('is deterministic and does not depend on the order the sources are listed in', () => {
    const weights = w({ relay1: 3, relay2: 1, relay3: 3, relay4: 2 });
    const first = buildPattern(weights, { length: 24 });
    expect(buildPattern(weights, { length: 24 })).toEqual(first);
    expect(buildPattern([...weights].reverse(), { length: 24 })).toEqual(first);
  });

  it('spreads each source over the pattern instead of bunching its slots', () => {
    expect(buildPattern(w({ A: 2, B: 1, C: 2 }), { length: 5 })).toEqual(['A', 'C', 'B', 'A', 'C']);
    const pattern = buildPattern(w({ A: 2, B: 4, C: 6, D: 8 }), { length: 20 });
    expect(maxGap(pattern, 'D')).toBeLessThanOrEqual(3);
    expect(maxGap(pattern, 'A')).toBeLessThanOrEqual(10);
  });

  it('keeps a slot for a source with a tiny positive weight unless told not to', () => {
    const weights = w({ A: 100, B: 1 });
    expect(count(buildPattern(weights, { length: 10 }))).toEqual({ A: 9, B: 1 });
    expect(count(buildPattern(weights, { length: 10, keepEverySource: false }))).toEqual({ A: 10 });
  });

  it('leaves out sources with weight zero', () => {
    expect(count(buildPattern(w({ A: 1, B: 0 }), { length: 4 }))).toEqual({ A: 4 });
  });

  it('refuses bad lengths, bad weights, duplicates and an empty set', () => {
    const kind = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (err) {
        return err instanceof StripeError ? err.kind : 'other';
      }
      return undefined;
    };
    expect(kind(() => buildPattern(w({ A: 1 }), { length: 0 }))).toBe('invalid-argument');
    expect(kind(() => buildPattern(w({ A: 1 }), { length: 1.5 }))).toBe('invalid-argument');
    expect(kind(() => buildPattern(w({ A: 1 }), { length: 1025 }))).toBe('invalid-argument');
    expect(kind(() => buildPattern(w({ A: -1 })))).toBe('invalid-argument');
    expect(kind(() => buildPattern(w({ A: Number.NaN })))).toBe('invalid-argument');
    expect(kind(() => buildPattern([...w({ A: 1 }), ...w({ A: 2 })]))).toBe('invalid-argument');
    expect(kind(() => buildPattern(w({ A: 0 })))).toBe('no-sources');
    expect(kind(() => buildPattern([]))).toBe('no-sources');
  });
});

describe('apportion and interleave', () => {
  it('sums to the length even when every floor is zero', () => {
    const quotas = apportion(w({ A: 1, B: 1, C: 1, D: 1, E: 1 }), 3, true);
    expect(quotas.reduce((sum, q) => sum + q.slots, 0)).toBe(3);
  });

  it('interleaves whole quotas in canonical order', () => {
    expect(
      interleave([
        { source: 'A', slots: 3 },
        { source: 'B', slots: 1 },
      ]),
    ).toEqual(['A', 'A', 'B', 'A']);
  });
});

describe('patternShares', () => {
  it('gives each source its fraction of the slots', () => {
    expect(patternShares(['A', 'A', 'B', 'C', 'C'])).toEqual(
      new Map([
        ['A', 0.4],
        ['B', 0.2],
        ['C', 0.4],
      ]),
    );
  });
});

describe('pattern epochs', () => {
  const epoch = { epoch: 1, startSeq: 50, pattern: ['A', 'B', 'B', 'C', 'C'] };

  it('map each sequence number to its slot from the start of the epoch', () => {
    expect(slotOwner(epoch, 49)).toBeUndefined();
    expect([50, 51, 52, 53, 54, 55].map((seq) => slotOwner(epoch, seq))).toEqual([
      'A',
      'B',
      'B',
      'C',
      'C',
      'A',
    ]);
  });

  it('round up to the next whole pattern strictly after a sequence number', () => {
    expect(nextBoundary(epoch, 50)).toBe(55);
    expect(nextBoundary(epoch, 54)).toBe(55);
    expect(nextBoundary(epoch, 55)).toBe(60);
    expect(nextBoundary(epoch, 10)).toBe(55);
    // The document's formula for a pattern starting at 0: (x + size) / size * size.
    const fromZero = { epoch: 0, startSeq: 0, pattern: ['A', 'A', 'B', 'C', 'C'] };
    for (const x of [0, 3, 4, 5, 99]) expect(nextBoundary(fromZero, x)).toBe(Math.floor((x + 5) / 5) * 5);
  });

  it('know when the running pattern has been executed once', () => {
    expect(patternExecuted(epoch, 53)).toBe(false);
    expect(patternExecuted(epoch, 54)).toBe(true);
  });
});

describe('pattern letters', () => {
  it('spell a pattern as a string and read it back', () => {
    const letters = assignLetters(['relay-b', 'relay-a', 'relay-c']);
    expect(letters).toEqual(
      new Map([
        ['relay-a', 'A'],
        ['relay-b', 'B'],
        ['relay-c', 'C'],
      ]),
    );
    const pattern = ['relay-a', 'relay-a', 'relay-b', 'relay-c', 'relay-c'];
    const text = encodePattern(pattern, letters);
    expect(text).toBe('AABCC');
    const back = new Map([...letters].map(([s, l]) => [l, s]));
    expect(decodePattern(text, back)).toEqual(pattern);
    expect(decodePattern(text)).toEqual(['A', 'A', 'B', 'C', 'C']);
  });

  it("keep a source's letter across patterns and give newcomers free ones", () => {
    const before = assignLetters(['a', 'b', 'c']);
    const after = assignLetters(['a', 'c', 'd'], before);
    expect(after).toEqual(
      new Map([
        ['a', 'A'],
        ['c', 'C'],
        ['d', 'B'],
      ]),
    );
  });

  it('reject letters outside the alphabet, unknown letters and empty patterns', () => {
    expect(() => decodePattern('AB-')).toThrow(StripeError);
    expect(() => decodePattern('AZ', new Map([['A', 'x']]))).toThrow(/no source for letter Z/);
    expect(() => decodePattern('')).toThrow(StripeError);
    expect(() => encodePattern(['x'], new Map())).toThrow(/no letter/);
  });
});
