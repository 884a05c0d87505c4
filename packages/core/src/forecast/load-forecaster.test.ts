import { describe, expect, it } from 'vitest';
import { LoadForecaster } from './load-forecaster.ts';

describe('LoadForecaster', () => {
  it('expects nothing new before it has seen a period', () => {
    const f = new LoadForecaster({ periodMs: 1000, horizonPeriods: 3, startMs: 0 });
    f.recordJoin(100);
    expect(f.periodsObserved).toBe(0);
    expect(f.forecast(1, 500)).toMatchObject({ expectedViewers: 1, peakViewers: 1, expectedJoins: 0 });
  });

  it('turns a steady logon rate into the viewers expected at the end of the horizon', () => {
    const f = new LoadForecaster({ periodMs: 1000, horizonPeriods: 3, startMs: 0 });
    let viewers = 0;
    for (let t = 0; t < 10_000; t += 100) {
      f.recordJoin(t); // 10 per second
      viewers++;
    }
    const out = f.forecast(viewers, 10_000);
    expect(f.periodsObserved).toBe(10);
    expect(out.joinRate).toBeCloseTo(10, 6);
    expect(out.expectedJoins).toBeCloseTo(30, 6);
    expect(out.expectedViewers).toBeCloseTo(130, 6);
    expect(out.peakViewers).toBeCloseTo(130, 6);
  });

  it('anticipates a growing crowd: the forecast exceeds the current rate', () => {
    const f = new LoadForecaster({ periodMs: 1000, horizonPeriods: 2, startMs: 0 });
    for (let s = 0; s < 8; s++) f.recordJoin(s * 1000 + 1, 100 * (s + 1));
    const out = f.forecast(3600, 8000);
    // Last period had 800 logons and the rate grows by 100 per period: 900 + 1000 expected.
    expect(out.expectedJoins).toBeCloseTo(1900, 0);
    expect(out.expectedViewers).toBeCloseTo(5500, 0);
  });

  it('nets logoffs against logons and never expects fewer than zero viewers', () => {
    const f = new LoadForecaster({ periodMs: 1000, horizonPeriods: 4, startMs: 0 });
    for (let s = 0; s < 5; s++) {
      f.recordJoin(s * 1000 + 1, 2);
      f.recordLeave(s * 1000 + 2, 50);
    }
    const out = f.forecast(60, 5000);
    expect(out.expectedLeaves).toBeCloseTo(200, 6);
    expect(out.expectedViewers).toBe(0);
    expect(out.peakViewers).toBe(60);
  });

  it('counts empty periods as zeros, and survives a very long silence', () => {
    const f = new LoadForecaster({ periodMs: 1000, horizonPeriods: 3, startMs: 0 });
    f.recordJoin(10, 100);
    f.recordJoin(1010, 100);
    const quiet = f.forecast(200, 30_000);
    expect(quiet.expectedJoins).toBeLessThan(1);
    const later = f.forecast(200, 1e12);
    expect(Number.isFinite(later.expectedViewers)).toBe(true);
    expect(later.expectedJoins).toBeLessThan(1);
  });

  it('starts its first period at the first call when no start is given', () => {
    const f = new LoadForecaster({ periodMs: 1000 });
    f.recordJoin(5000);
    f.recordJoin(5999);
    expect(f.periodsObserved).toBe(0);
    f.advance(6000);
    expect(f.periodsObserved).toBe(1);
  });

  it('forecasts the open period one step ahead from the closed ones', () => {
    const f = new LoadForecaster({ periodMs: 1000, horizonPeriods: 3, startMs: 0 });
    expect(f.nextPeriod(0)).toEqual({ joins: 0, leaves: 0 });
    for (let s = 0; s < 4; s++) {
      f.recordJoin(s * 1000 + 1, 10 * (s + 1));
      f.recordLeave(s * 1000 + 2, 3);
    }
    // Joins grow by 10 per period (10, 20, 30, 40): 50 expected next; leaves steady at 3.
    const next = f.nextPeriod(4000);
    expect(next.joins).toBeCloseTo(50, 6);
    expect(next.leaves).toBeCloseTo(3, 6);
  });
});
