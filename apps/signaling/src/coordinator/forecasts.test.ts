import { AdminSnapshotSchema, planViolations } from '@p2pcdn/core';
import { describe, expect, it } from 'vitest';
import { adminSnapshot } from './snapshot.ts';
import { world } from './test-world.ts';

describe('Forecasts', () => {
  it('provisions relays ahead of a growing audience and records forecast against actual', async () => {
    const { c, clock, connect } = world({
      planner: { forecastPeriodMs: 1000, forecastHorizon: 2, warmupMs: 500 },
    });
    c.start();
    const peers = Array.from({ length: 6 }, (_, i) => connect('relay', 4000, `r${i}`));
    const relays = [...peers];
    let joined = 0;
    // A growing crowd: 1, 2, 3, 4 viewers more per period (relays send heartbeats meanwhile).
    for (let period = 1; period <= 4; period++) {
      for (let i = 0; i < period; i++) {
        const v = connect('viewer', 0);
        v.send({ type: 'join', streamId: 'live' });
        peers.push(v);
        joined++;
      }
      for (const r of peers)
        r.send({ type: 'stats', stats: { httpBytes: 0, p2pBytes: 0, uploadBytes: 0, links: [] } });
      await clock.advance(1000);
    }
    expect(c.planner.viewerCount('live')).toBe(joined);
    const provisions = c.events.recent().filter((e) => e.kind === 'provision');
    void relays;
    expect(provisions.length).toBeGreaterThan(0);
    expect(provisions[0]?.message).toMatch(/forecast of \d+ viewers \(now \d+\)/);
    // More relay capacity is active than the viewers now need: the forecast's growth is covered.
    const active = c.tiered?.activeRelays('live') ?? [];
    const slots = active.length * 4;
    expect(slots).toBeGreaterThan(joined + 1);
    expect(planViolations(c.planner)).toEqual([]);

    const snapshot = adminSnapshot(c, () => undefined);
    expect(AdminSnapshotSchema.safeParse(snapshot).success).toBe(true);
    const live = snapshot.forecasts?.find((f) => f.streamId === 'live');
    expect(live?.periodMs).toBe(1000);
    // Points start once a prediction made one horizon earlier is due.
    expect(live?.points.map((p) => p.viewers)).toEqual([6, 10]);
    const last = live?.points.at(-1);
    expect(last?.logonRate).toBe(4);
    expect(last?.forecastLogonRate).toBeGreaterThan(3); // Holt saw the trend
    expect(last?.forecastViewers).toBeGreaterThan(3);
    expect(last?.activeRelays).toBe(active.length);
    c.stop();
  });

  it('counts logoffs, and provisions nothing with forecasting off', async () => {
    const { c, clock, connect } = world({
      planner: { forecastPeriodMs: 1000, forecastHorizon: 1, forecast: false },
    });
    c.start();
    connect('relay', 4000);
    const viewers = Array.from({ length: 4 }, () => connect('viewer', 0));
    for (const v of viewers) v.send({ type: 'join', streamId: 'live' });
    await clock.advance(1000);
    await viewers[0]?.send({ type: 'leave', streamId: 'live' });
    viewers[1]?.session.close();
    await clock.advance(1000);
    const points = c.forecasts.snapshot()[0]?.points ?? [];
    expect(points.at(-1)).toMatchObject({ viewers: 2, logonRate: 0, logoffRate: 2 });
    expect(c.events.recent().some((e) => e.kind === 'provision')).toBe(false);
    c.stop();
  });
});
