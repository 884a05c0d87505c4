import { describe, expect, it } from 'vitest';
import { quantile, round, Samples } from './metrics.ts';

describe('metrics', () => {
  it('takes nearest-rank quantiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(quantile([...values], 0.99)).toBe(99);
    expect(quantile([...values], 0.5)).toBe(50);
    expect(quantile([], 0.99)).toBe(0);
    expect(quantile(Float64Array.from([3, 1, 2]), 1)).toBe(3);
  });

  it('collects samples beyond its first buffer', () => {
    const s = new Samples();
    for (let i = 1; i <= 5000; i++) s.push(i);
    expect(s.length).toBe(5000);
    expect(s.max()).toBe(5000);
    expect(s.mean()).toBe(2500.5);
    expect(round(quantile(s.values(), 0.99))).toBe(4950);
  });
});
