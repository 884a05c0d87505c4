import { describe, expect, it } from 'vitest';
import { EventQueue } from './event-queue.ts';
import { Rng } from './rng.ts';

describe('EventQueue', () => {
  it('yields events by time, ties in scheduling order', () => {
    const q = new EventQueue<string>();
    q.schedule(5, 'c');
    q.schedule(1, 'a');
    q.schedule(5, 'd');
    q.schedule(3, 'b');
    expect(q.peekTime()).toBe(1);
    const out: string[] = [];
    for (let e = q.next(); e; e = q.next()) out.push(`${e.at}${e.event}`);
    expect(out).toEqual(['1a', '3b', '5c', '5d']);
    expect(q.size).toBe(0);
  });
});

describe('Rng', () => {
  it('is reproducible from its seed and draws within range', () => {
    const a = new Rng(9);
    const b = new Rng(9);
    const xs = Array.from({ length: 100 }, () => a.next());
    expect(xs).toEqual(Array.from({ length: 100 }, () => b.next()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(Array.from({ length: 200 }, () => a.int(3)))).toEqual(new Set([0, 1, 2]));
  });

  it('draws weighted choices and exponential times with the right means', () => {
    const rng = new Rng(1);
    const counts = [0, 0, 0];
    let sum = 0;
    for (let i = 0; i < 20_000; i++) {
      const i = rng.weighted([1, 2, 7]);
      counts[i] = (counts[i] ?? 0) + 1;
      sum += rng.exp(5);
    }
    expect((counts[2] ?? 0) / 20_000).toBeCloseTo(0.7, 1);
    expect(sum / 20_000).toBeCloseTo(5, 0);
  });
});
