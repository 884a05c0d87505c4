import { describe, expect, it } from 'vitest';
import { simChart, simReport } from './report.ts';
import { simulate } from './simulation.ts';

const strip = <T extends { series: unknown; config: unknown }>(run: T) => {
  const { series: _s, config: _c, ...rest } = run;
  return rest;
};

// Whole simulations: seconds of CPU each, more on a loaded machine.
describe('simulate', { timeout: 120_000 }, () => {
  it('is deterministic: the same seed gives the same run', () => {
    const a = simulate({ viewers: 800, trace: 'churn', seed: 5 });
    const b = simulate({ viewers: 800, trace: 'churn', seed: 5 });
    expect(strip(a)).toEqual(strip(b));
    expect(a.series).toEqual(b.series);
    expect(strip(simulate({ viewers: 800, trace: 'churn', seed: 6 }))).not.toEqual(strip(a));
  });

  it('plans a flash crowd with one origin copy per stream, within the depth bound, and a sound plan', () => {
    const run = simulate({ viewers: 3000, trace: 'flash-crowd', seed: 2 });
    expect(run.violations).toEqual([]);
    expect(run.joins).toBe(3000);
    expect(run.originCopies).toBeLessThanOrEqual(1.05);
    for (const copies of Object.values(run.originCopiesPerStream)) expect(copies).toBeLessThanOrEqual(1.05);
    expect(run.depthWithinBound).toBe(true);
    expect(run.maxDepth).toBeGreaterThanOrEqual(3);
    expect(run.meanStretch).toBeGreaterThan(1);
    expect(run.series.t.length).toBe(180);
    expect(run.plannerP99Micros).toBe(0); // no timer given
  });

  it('lets fewer viewers wait for a relay with Holt forecasting than threshold-only', () => {
    // A heavy stream (relays take 2–20 children), so the crowd outruns reactive activations.
    const config = { viewers: 3000, trace: 'flash-crowd', seed: 3, bitrateKbps: 20_000 } as const;
    const forecast = simulate(config);
    const reactive = simulate({ ...config, forecasting: false });
    expect(forecast.viewersWaited).toBeLessThan(reactive.viewersWaited);
    expect(forecast.coldStartWaited).toBe(reactive.coldStartWaited);
    const report = simReport(forecast, reactive);
    expect(report.forecastVsReactive.reduction).toBeGreaterThan(0);
    expect(report.goals.originCopies.met).toBe(true);
    expect(simChart(forecast, reactive)).toContain('<polyline');
  });

  it('re-parents the children of relays that die, counting the time they went without a parent', () => {
    const run = simulate({ viewers: 1500, trace: 'churn', seed: 4, stripes: 2 });
    expect(run.relayDeaths).toBeGreaterThan(0);
    expect(run.violations).toEqual([]);
    expect(run.viewersWithoutParentMs.affected).toBeGreaterThan(0);
    expect(run.viewersWithoutParentMs.total).toBeGreaterThan(0);
    expect(run.originCopies).toBeLessThanOrEqual(1.05);
  });

  it('gives relays back as a diurnal audience declines, when forecasting', () => {
    const run = simulate({ viewers: 1500, trace: 'diurnal', seed: 1 });
    const peak = Math.max(...run.series.relays);
    expect(run.series.relays.at(-1)).toBeLessThan(peak * 0.8);
    expect(run.deactivations).toBeGreaterThan(0);
    expect(run.violations).toEqual([]);
  });
});
