import { describe, expect, it } from 'vitest';
import { Rng } from './rng.ts';
import { makeTrace, type Sessions, type TraceKind } from './traces.ts';

const spec = (kind: TraceKind) => ({
  kind,
  viewers: 5000,
  streams: 2,
  relays: 100,
  capableShare: 0.2,
  capableUploadKbps: 5000,
});

/** Most viewers watching at once, sampled every second. */
function peakConcurrent(s: Sessions, durationMs: number): number {
  let peak = 0;
  for (let t = 0; t < durationMs; t += 1000) {
    let n = 0;
    for (let i = 0; i < s.count; i++) if ((s.joinAt[i] ?? 0) <= t && (s.leaveAt[i] ?? 0) > t) n++;
    peak = Math.max(peak, n);
  }
  return peak;
}

describe('makeTrace', () => {
  it('draws a flash crowd of exactly N logons, most within the first minute', () => {
    const trace = makeTrace(spec('flash-crowd'), new Rng(1));
    const s = trace.sessions;
    expect(s.count).toBe(5000);
    const early = Array.from(s.joinAt).filter((t) => t < 60_000).length;
    expect(early / s.count).toBeGreaterThan(0.9);
    expect(Math.max(...s.joinAt)).toBeLessThanOrEqual(150_000);
    expect(trace.relayArrivals).toEqual([]);
  });

  it('scales a diurnal day so that its peak is about N, and ends lower than it peaked', () => {
    const trace = makeTrace(spec('diurnal'), new Rng(2));
    const peak = peakConcurrent(trace.sessions, trace.durationMs);
    expect(peak).toBeGreaterThan(5000 * 0.9);
    expect(peak).toBeLessThan(5000 * 1.1);
    expect(trace.relayArrivals.length).toBe(trace.relayDeaths.length);
  });

  it('keeps a churning population near N while replacing it, with relays failing and arriving', () => {
    const trace = makeTrace(spec('churn'), new Rng(3));
    expect(trace.sessions.count).toBeGreaterThan(1.8 * 5000);
    const peak = peakConcurrent(trace.sessions, trace.durationMs);
    expect(peak).toBeGreaterThan(5000 * 0.9);
    expect(peak).toBeLessThan(5000 * 1.1);
    expect(trace.relayDeaths.length).toBeGreaterThan(0);
  });

  it('spreads viewers over streams by popularity and over every region', () => {
    const s = makeTrace(spec('flash-crowd'), new Rng(4)).sessions;
    const first = Array.from(s.stream).filter((x) => x === 0).length / s.count;
    expect(first).toBeGreaterThan(0.6);
    expect(first).toBeLessThan(0.73);
    expect(new Set(s.region).size).toBe(6);
  });
});
