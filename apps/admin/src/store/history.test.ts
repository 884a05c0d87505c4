import type { StreamFigures } from '@p2pcdn/core';
import { describe, expect, it } from 'vitest';
import { RATE_WINDOW, appendFigures, appendSnapshot, pushBounded, type StreamHistory } from './history.ts';
import { makeSnapshotFixture } from '../fixtures/snapshot-fixture.ts';

const figures = (over: Partial<StreamFigures> = {}): StreamFigures => ({
  streamId: 'demo-live',
  viewers: 3,
  relays: 1,
  p2pBytes: 0,
  httpBytes: 0,
  p2pShare: 0,
  originKbps: 2000,
  ...over,
});

describe('history', () => {
  it('pushBounded drops the oldest values beyond the limit without touching the input', () => {
    const column = [1, 2, 3];
    expect(pushBounded(column, 4, 3)).toEqual([2, 3, 4]);
    expect(pushBounded(column, 4, 10)).toEqual([1, 2, 3, 4]);
    expect(column).toEqual([1, 2, 3]);
  });

  it('starts with nulls for rates that need a previous sample', () => {
    const h = appendFigures(undefined, figures({ p2pBytes: 500, httpBytes: 500, p2pShare: 0.5 }), 10_000);
    expect(h.t).toEqual([10]);
    expect(h.p2pShare).toEqual([0.5]);
    expect(h.deliveredKbps).toEqual([null]);
    expect(h.intervalP2pShare).toEqual([null]);
    expect(h.originMeasuredKbps).toEqual([null]);
  });

  it('derives delivered rate, interval share and measured origin rate from counter deltas', () => {
    let h = appendFigures(undefined, figures({ originMeasuredBytes: 0 }), 0);
    // one second later: 250 kB from peers, 125 kB over HTTP, origin counted 125 kB
    h = appendFigures(
      h,
      figures({ p2pBytes: 250_000, httpBytes: 125_000, originMeasuredBytes: 125_000 }),
      1000,
    );
    expect(h.deliveredKbps[1]).toBe(3000);
    expect(h.intervalP2pShare[1]).toBeCloseTo(2 / 3);
    expect(h.originMeasuredKbps[1]).toBe(1000);
  });

  it('leaves a gap when a counter goes backwards', () => {
    let h = appendFigures(undefined, figures({ p2pBytes: 1000, httpBytes: 1000 }), 0);
    h = appendFigures(h, figures({ p2pBytes: 400, httpBytes: 1500 }), 1000);
    expect(h.deliveredKbps[1]).toBeNull();
    h = appendFigures(h, figures({ p2pBytes: 1400, httpBytes: 1500 }), 2000);
    expect(h.deliveredKbps[2]).toBe(8);
  });

  it('measures rates over the last few samples, smoothing segment bursts', () => {
    let h: StreamHistory | undefined;
    // a 2 MB segment every other second: 8 Mbit/s on average
    for (let i = 0; i <= 10; i += 1) {
      const bytes = Math.floor(i / 2) * 2_000_000;
      h = appendFigures(h, figures({ p2pBytes: bytes, originMeasuredBytes: bytes / 2 }), i * 1000);
    }
    const last = h!.deliveredKbps.at(-1)!;
    expect(RATE_WINDOW).toBe(5);
    expect(last).toBeGreaterThanOrEqual(6400);
    expect(last).toBeLessThanOrEqual(9600);
    expect(h!.originMeasuredKbps.at(-1)).toBeCloseTo(last / 2);
  });

  it('ignores samples that are not newer than the last one', () => {
    const h = appendFigures(undefined, figures(), 5000);
    expect(appendFigures(h, figures({ originKbps: 1 }), 5000)).toBe(h);
    expect(appendFigures(h, figures({ originKbps: 1 }), 4000)).toBe(h);
  });

  it('stays bounded, every column the same length', () => {
    let h: StreamHistory | undefined;
    for (let i = 0; i < 50; i += 1) h = appendFigures(h, figures({ p2pBytes: i * 100 }), i * 1000, 20);
    expect(h?.t).toHaveLength(20);
    expect(h?.t[0]).toBe(30);
    for (const column of [
      h?.p2pShare,
      h?.intervalP2pShare,
      h?.originKbps,
      h?.deliveredKbps,
      h?.originMeasuredKbps,
    ]) {
      expect(column).toHaveLength(20);
    }
  });

  it('keeps one history per stream of the snapshot and drops vanished streams', () => {
    const first = appendSnapshot({}, makeSnapshotFixture({ tick: 0 }));
    expect(Object.keys(first).sort()).toEqual(['demo-live', 'demo-vod']);
    const onlyLive = makeSnapshotFixture({ tick: 1 });
    onlyLive.figures = onlyLive.figures.filter((f) => f.streamId === 'demo-live');
    const second = appendSnapshot(first, onlyLive);
    expect(Object.keys(second)).toEqual(['demo-live']);
    expect(second['demo-live']?.t).toHaveLength(2);
  });
});
