import { describe, expect, it } from 'vitest';
import { HoltSmoother } from './holt.ts';

describe('HoltSmoother', () => {
  it('forecasts 0 before any observation and a flat line after one', () => {
    const holt = new HoltSmoother();
    expect(holt.forecast(3)).toBe(0);
    holt.observe(7);
    expect(holt.forecast(1)).toBe(7);
    expect(holt.forecast(5)).toBe(7);
  });

  it('matches a hand-computed series (α = 0.5, β = 0.5)', () => {
    const holt = new HoltSmoother({ alpha: 0.5, beta: 0.5 });
    holt.observe(10); // ℓ = 10, b = 0
    holt.observe(12); // ℓ = 12, b = 2
    holt.observe(15); // ℓ = .5·15 + .5·14 = 14.5, b = .5·2.5 + .5·2 = 2.25
    expect(holt.level).toBeCloseTo(14.5, 10);
    expect(holt.trend).toBeCloseTo(2.25, 10);
    holt.observe(14); // ℓ = .5·14 + .5·16.75 = 15.375, b = .5·0.875 + .5·2.25 = 1.5625
    expect(holt.level).toBeCloseTo(15.375, 10);
    expect(holt.trend).toBeCloseTo(1.5625, 10);
    expect(holt.forecast(2)).toBeCloseTo(18.5, 10);
  });

  it('follows a linear trend exactly, whatever the constants', () => {
    for (const [alpha, beta] of [
      [0.2, 0.1],
      [0.9, 0.9],
      [1, 0],
    ] as const) {
      const holt = new HoltSmoother({ alpha, beta });
      for (let t = 0; t < 20; t++) holt.observe(3 * t + 1);
      expect(holt.forecast(1)).toBeCloseTo(3 * 20 + 1, 9);
      expect(holt.forecast(10)).toBeCloseTo(3 * 29 + 1, 9);
    }
  });

  it('catches up with a change of slope within a few periods', () => {
    const holt = new HoltSmoother({ alpha: 0.5, beta: 0.3 });
    for (let t = 0; t < 10; t++) holt.observe(100);
    for (let t = 1; t <= 12; t++) holt.observe(100 + 50 * t);
    // The last value is 700 and the slope 50: the forecast of the next is close to 750.
    expect(holt.forecast(1)).toBeGreaterThan(700);
    expect(holt.forecast(1)).toBeLessThan(800);
    expect(holt.trend).toBeGreaterThan(35);
  });

  it('decays towards zero through a run of empty periods and never produces NaN', () => {
    const holt = new HoltSmoother();
    for (const x of [50, 60, 70]) holt.observe(x);
    for (let t = 0; t < 40; t++) holt.observe(0);
    expect(Math.abs(holt.forecast(1))).toBeLessThan(1);
    expect(Number.isNaN(holt.forecast(100))).toBe(false);
  });

  it('absorbs a single burst: the forecast moves towards it and settles back', () => {
    const holt = new HoltSmoother({ alpha: 0.5, beta: 0.3 });
    for (let t = 0; t < 10; t++) holt.observe(10);
    holt.observe(1000);
    const afterBurst = holt.forecast(1);
    expect(afterBurst).toBeGreaterThan(10);
    expect(afterBurst).toBeLessThan(1000);
    for (let t = 0; t < 30; t++) holt.observe(10);
    expect(holt.forecast(1)).toBeCloseTo(10, 0);
  });

  it('refuses constants out of range and non-finite observations', () => {
    expect(() => new HoltSmoother({ alpha: 0 })).toThrow(RangeError);
    expect(() => new HoltSmoother({ beta: 1.5 })).toThrow(RangeError);
    expect(() => new HoltSmoother().observe(Number.NaN)).toThrow(RangeError);
  });
});
