import { describe, expect, it } from 'vitest';
import { RateWindow } from './rate-window.ts';

describe('RateWindow', () => {
  it('has no rate before two samples a minimum span apart', () => {
    const w = new RateWindow(10_000);
    expect(w.rate()).toBeUndefined();
    w.add(0, 1_000_000); // bytes sent over an unknown time before: not counted
    expect(w.rate()).toBeUndefined();
    w.add(500, 1000);
    expect(w.rate()).toBeUndefined();
    w.add(2000, 3000);
    expect(w.rate()).toEqual({ bytesPerSecond: 2000, spanMs: 2000 });
  });

  it('averages over the window, forgetting what came before it', () => {
    const w = new RateWindow(4000);
    w.add(0, 0);
    // 1 MB/s for 4 s, then 100 kB/s for 4 s, in heartbeats of 1 s.
    for (let t = 1; t <= 4; t++) w.add(t * 1000, 1_000_000);
    expect(w.rate()).toEqual({ bytesPerSecond: 1_000_000, spanMs: 4000 });
    for (let t = 5; t <= 8; t++) w.add(t * 1000, 100_000);
    expect(w.rate()).toEqual({ bytesPerSecond: 100_000, spanMs: 4000 });
    w.add(8500, 50_000);
    // Baseline stays at least a window back: 4.5 s with 450 kB in it.
    expect(w.rate()?.spanMs).toBe(4500);
    expect(w.rate()?.bytesPerSecond).toBeCloseTo(450_000 / 4.5);
  });

  it('is not fooled by a flood of heartbeats, a clock going back or junk byte counts', () => {
    const w = new RateWindow(10_000, 1000, 8);
    w.add(0, 0);
    for (let i = 1; i <= 100; i++) w.add(i, 10); // 100 heartbeats in 100 ms
    expect(w.rate()).toBeUndefined();
    w.add(50, 1e12);
    w.add(2000, Number.NaN);
    w.add(3000, -5);
    const rate = w.rate();
    expect(rate?.bytesPerSecond).toBeLessThan(1000);
  });

  it('refuses a window that cannot measure anything', () => {
    expect(() => new RateWindow(0)).toThrow(RangeError);
    expect(() => new RateWindow(1000, 2000)).toThrow(RangeError);
  });
});
