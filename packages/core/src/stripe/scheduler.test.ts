import { describe, expect, it } from 'vitest';
import { StripeError } from './errors.ts';
import { decodePattern } from './letters.ts';
import { changeSources } from './rebalance.ts';
import { StripeSchedule } from './scheduler.ts';

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('StripeSchedule', () => {
  it("tells each source which blocks it sends, as in the document's pattern 50", () => {
    // FIG. 6/7: with AABCC from block 0, A sends 0, 1, 5, 6; B sends 2, 7; C sends 3, 4, 8, 9.
    const schedule = new StripeSchedule({ epoch: 0, startSeq: 0, pattern: decodePattern('AABCC') });
    expect(schedule.owedBy('A', 0, 10)).toEqual([0, 1, 5, 6]);
    expect(schedule.owedBy('B', 0, 10)).toEqual([2, 7]);
    expect(schedule.owedBy('C', 0, 10)).toEqual([3, 4, 8, 9]);
    expect(schedule.owes('A', 5)).toBe(true);
  });

  it('switches to a new pattern at its start sequence number (FIG. 10A from block 50)', () => {
    const schedule = new StripeSchedule({ epoch: 0, startSeq: 0, pattern: decodePattern('AABCC') });
    schedule.apply({ epoch: 1, startSeq: 50, pattern: decodePattern('ABBCC') });
    expect(range(45, 55).map((seq) => schedule.ownerOf(seq))).toEqual([
      ...['A', 'A', 'B', 'C', 'C'],
      ...['A', 'B', 'B', 'C', 'C'],
    ]);
    expect(schedule.epochAt(49)?.epoch).toBe(0);
    expect(schedule.epochAt(50)?.epoch).toBe(1);
    expect(schedule.current.epoch).toBe(1);
  });

  it('refuses a pattern that does not follow the latest one', () => {
    const schedule = new StripeSchedule({ epoch: 4, startSeq: 100, pattern: ['A'] });
    const kind = (fn: () => void): string | undefined => {
      try {
        fn();
      } catch (err) {
        return err instanceof StripeError ? err.kind : 'other';
      }
      return undefined;
    };
    expect(kind(() => schedule.apply({ epoch: 4, startSeq: 200, pattern: ['B'] }))).toBe('stale-epoch');
    expect(kind(() => schedule.apply({ epoch: 5, startSeq: 100, pattern: ['B'] }))).toBe('stale-epoch');
    expect(kind(() => schedule.apply({ epoch: 5, startSeq: 200, pattern: [] }))).toBe('invalid-argument');
    expect(kind(() => schedule.apply({ epoch: 5, startSeq: -1, pattern: ['B'] }))).toBe('invalid-argument');
    expect(schedule.all).toHaveLength(1);
  });

  it("moves a vanished source's blocks to the others by their weights and remembers the moves", () => {
    const schedule = new StripeSchedule({ epoch: 0, startSeq: 0, pattern: decodePattern('AABCC') });
    const owedByB = schedule.owedBy('B', 0, 40); // 8 blocks
    const moved = schedule.reassign('B', range(0, 40));
    expect(moved.get('A')).toHaveLength(4);
    expect(moved.get('C')).toHaveLength(4);
    expect([...(moved.get('A') ?? []), ...(moved.get('C') ?? [])].sort((a, b) => a - b)).toEqual(owedByB);
    expect(schedule.owedBy('B', 0, 40)).toEqual([]);
    for (const [source, seqs] of moved) for (const seq of seqs) expect(schedule.ownerOf(seq)).toBe(source);
  });

  it('reassigns only the blocks the vanished source owes, to chosen sources, never to excluded ones', () => {
    const schedule = new StripeSchedule({ epoch: 0, startSeq: 0, pattern: decodePattern('ABC') });
    expect(schedule.reassign('A', [1, 2, 4])).toEqual(new Map());
    const moved = schedule.reassign('A', [0, 3, 6], { exclude: ['B'] });
    expect(moved).toEqual(new Map([['C', [0, 3, 6]]]));
    const toOrigin = schedule.reassign('C', [0, 3], { among: [{ source: 'origin', weight: 1 }] });
    expect(toOrigin).toEqual(new Map([['origin', [0, 3]]]));
    expect(() => schedule.reassign('origin', [0], { exclude: ['A', 'B', 'C'] })).toThrow(
      expect.objectContaining({ kind: 'no-sources' }),
    );
  });

  it('drops a failed source: new pattern from the next boundary, its blocks before it moved', () => {
    const schedule = new StripeSchedule({ epoch: 0, startSeq: 0, pattern: decodePattern('AABCC') });
    const next = changeSources(schedule.current, { drop: ['C'], afterSeq: 12 });
    schedule.apply(next);
    const moved = schedule.reassign('C', range(12, next.startSeq));
    expect(next.startSeq).toBe(15);
    expect([...moved.values()].flat().sort((a, b) => a - b)).toEqual([13, 14]);
    expect(range(12, 30).some((seq) => schedule.ownerOf(seq) === 'C')).toBe(false);
  });

  it('forgets old epochs and moves once they are behind', () => {
    const schedule = new StripeSchedule({ epoch: 0, startSeq: 0, pattern: ['A'] });
    schedule.apply({ epoch: 1, startSeq: 10, pattern: ['B'] });
    schedule.apply({ epoch: 2, startSeq: 20, pattern: ['C'] });
    schedule.assign(15, 'A');
    schedule.prune(12);
    expect(schedule.all.map((e) => e.epoch)).toEqual([1, 2]);
    expect(schedule.ownerOf(15)).toBe('A');
    schedule.prune(20);
    expect(schedule.all.map((e) => e.epoch)).toEqual([2]);
    expect(schedule.ownerOf(15)).toBeUndefined();
    expect(() => schedule.assign(-1, 'A')).toThrow(StripeError);
  });
});
