import { describe, expect, it } from 'vitest';
import { makeSnapshotFixture } from '../fixtures/snapshot-fixture.ts';
import { computeTotals } from './totals.ts';

describe('totals', () => {
  it('is all zeros before the first snapshot', () => {
    expect(computeTotals(null)).toEqual({ streams: 0, relays: 0, viewers: 0, p2pShare: null, originKbps: 0 });
  });

  it('counts streams, relays and viewers and weights the P2P share by viewer bytes', () => {
    const snapshot = makeSnapshotFixture();
    const totals = computeTotals(snapshot);
    expect(totals.streams).toBe(2);
    expect(totals.relays).toBe(6);
    expect(totals.viewers).toBe(snapshot.nodes.filter((n) => n.role === 'viewer').length);
    const viewers = snapshot.nodes.filter((n) => n.role === 'viewer');
    const p2p = viewers.reduce((s, n) => s + n.p2pBytes, 0);
    const http = viewers.reduce((s, n) => s + n.httpBytes, 0);
    expect(totals.p2pShare).toBeCloseTo(p2p / (p2p + http));
    expect(totals.originKbps).toBe(snapshot.figures.reduce((s, f) => s + f.originKbps, 0));
  });
});
