import { describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/manual-clock.ts';
import { HaveBatcher, MAX_HAVE_KEYS, split, type HaveBatch } from './have-batcher.ts';

describe('HaveBatcher', () => {
  it('sends one batch per stream after the interval', async () => {
    const clock = new ManualClock();
    const out: HaveBatch[] = [];
    const batcher = new HaveBatcher(clock, 500, (b) => out.push(b));
    batcher.added('s1', 'a');
    batcher.added('s1', 'b');
    batcher.removed('s2', 'x');
    await clock.advance(499);
    expect(out).toEqual([]);
    await clock.advance(1);
    expect(out).toEqual([
      { streamId: 's1', added: ['a', 'b'], removed: [] },
      { streamId: 's2', added: [], removed: ['x'] },
    ]);
  });

  it('cancels out a key added and removed within one interval', async () => {
    const clock = new ManualClock();
    const out: HaveBatch[] = [];
    const batcher = new HaveBatcher(clock, 500, (b) => out.push(b));
    batcher.added('s1', 'a');
    batcher.removed('s1', 'a');
    batcher.removed('s1', 'b');
    batcher.added('s1', 'b');
    await clock.advance(500);
    expect(out).toEqual([]);
  });

  it('drops pending changes on clear', async () => {
    const clock = new ManualClock();
    const out: HaveBatch[] = [];
    const batcher = new HaveBatcher(clock, 500, (b) => out.push(b));
    batcher.added('s1', 'a');
    batcher.clear();
    await clock.advance(1000);
    expect(out).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('split', () => {
  it('keeps every list within the protocol bound', () => {
    const added = Array.from({ length: MAX_HAVE_KEYS * 2 + 1 }, (_, i) => `k${i}`);
    const batches = split('s1', added, ['gone']);
    expect(batches.map((b) => b.added.length)).toEqual([MAX_HAVE_KEYS, MAX_HAVE_KEYS, 1]);
    expect(batches.map((b) => b.removed.length)).toEqual([1, 0, 0]);
    expect(split('s1', [], [])).toEqual([]);
  });
});
