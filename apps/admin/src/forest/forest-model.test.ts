import type { AdminSnapshot } from '@p2pcdn/core';
import { describe, expect, it } from 'vitest';
import { makeForestFixture } from '../fixtures/forest-fixture.ts';
import { LIVE, VOD, makeSnapshotFixture } from '../fixtures/snapshot-fixture.ts';
import { ALL_STREAMS } from '../graph/graph-model.ts';
import { buildForest } from './forest-model.ts';

const ids = (snapshot: AdminSnapshot, streamId: string) =>
  snapshot.nodes.filter((n) => n.streams.includes(streamId)).map((n) => n.id);

describe('forest-model', () => {
  const snapshot = makeForestFixture();

  it('puts the origin, then each tier of the planner, in rows in order', () => {
    const model = buildForest(snapshot, LIVE);
    expect(model.planned).toBe(true);
    expect(model.rows.map((r) => r.tier)).toEqual([0, 1, 2, 3]);
    expect(model.rows[0]?.items).toEqual([{ type: 'node', id: 'origin:demo-live' }]);
    expect(model.rows[1]?.items.map((i) => i.id)).toEqual(['r-fra-1', 'r-fra-2']);
    expect(model.rows[2]?.items).toEqual([
      { type: 'farm', id: 't2:eu-west@2' },
      { type: 'farm', id: 't2:us-east@2' },
    ]);
    for (const item of model.rows[3]?.items ?? [])
      expect(item.type === 'cluster' || item.id.startsWith('v-live-')).toBe(true);
    // Tiers come from the members, not from the walk.
    for (const m of snapshot.members ?? []) {
      if (m.streamId === LIVE) expect(model.nodes.get(m.nodeId)?.tier).toBe(m.tier);
    }
  });

  it('computes each farm’s balance from its relays’ loads', () => {
    const model = buildForest(snapshot, LIVE);
    const members = (snapshot.members ?? []).filter((m) => m.streamId === LIVE && m.farm === 't2:eu-west');
    const loads = members.map((m) => m.load);
    const farm = model.farms.get('t2:eu-west@2');
    expect(farm?.nodeIds).toEqual(members.map((m) => m.nodeId).sort());
    expect(farm?.min).toBe(Math.min(...loads));
    expect(farm?.max).toBe(Math.max(...loads));
    expect(farm?.mean).toBeCloseTo(loads.reduce((a, b) => a + b, 0) / loads.length, 9);
    expect(farm?.mostLoaded).toBe(members.find((m) => m.load === Math.max(...loads))?.nodeId);
    expect(farm?.leastLoaded).toBe(members.find((m) => m.load === Math.min(...loads))?.nodeId);
    // The fixture's round-robin farm is unbalanced: one relay over the high-water mark.
    expect(farm!.max).toBeGreaterThan(0.85);
  });

  it('folds the viewers under one farm into a counted cluster beyond the threshold', () => {
    const model = buildForest(snapshot, LIVE, { clusterAbove: 16 });
    const cluster = model.clusters.get('cluster:demo-live:t2:eu-west');
    // Viewers whose stripe-0 parent is in the eu-west farm.
    const farm = new Set(
      (snapshot.members ?? []).filter((m) => m.farm === 't2:eu-west').map((m) => m.nodeId),
    );
    const expected = snapshot.edges
      .filter((e) => e.streamId === LIVE && e.stripe === 0 && farm.has(e.from) && e.to.startsWith('v-'))
      .map((e) => e.to)
      .sort();
    expect(expected.length).toBeGreaterThan(16);
    expect(cluster?.nodeIds).toEqual(expected);
    expect(cluster?.regions.reduce((n, [, c]) => n + c, 0)).toBe(expected.length);
    // The us-east farm's viewers stay below the threshold and are drawn one by one.
    expect(model.clusters.has('cluster:demo-live:t2:us-east')).toBe(false);
    // Summed edges carry the throughput of the edges they replace, per parent and stripe.
    const into = model.edges.filter((e) => e.to === cluster?.id);
    const original = snapshot.edges.filter((e) => expected.includes(e.to));
    expect(into.reduce((n, e) => n + e.count, 0)).toBe(original.length);
    expect(into.reduce((n, e) => n + e.kbps, 0)).toBe(original.reduce((n, e) => n + e.kbps, 0));
    expect(new Set(into.map((e) => e.stripe))).toEqual(new Set([0, 1]));
  });

  it('draws every viewer when clustering is off', () => {
    const model = buildForest(snapshot, LIVE, { clusterAbove: Infinity });
    expect(model.clusters.size).toBe(0);
    const drawn = [...model.nodes.keys(), ...model.unattached.map((n) => n.id)].filter(
      (id) => !id.startsWith('origin:'),
    );
    expect(drawn.sort()).toEqual(
      ids(snapshot, LIVE)
        .filter((id) => !id.startsWith('origin:'))
        .sort(),
    );
  });

  it('lists the stripes the edges carry and keeps one edge per stripe between the same pair', () => {
    const base = makeForestFixture();
    const edge = base.edges.find((e) => e.streamId === VOD && e.stripe === 0 && e.to.startsWith('v-'))!;
    base.edges.push({ ...edge, stripe: 1 });
    const model = buildForest(base, VOD, { clusterAbove: Infinity });
    expect(model.stripes).toEqual([0, 1]);
    const keys = model.edges.filter((e) => e.from === edge.from && e.to === edge.to).map((e) => e.key);
    expect(keys).toEqual([`${VOD}|${edge.from}|${edge.to}`, `${VOD}|${edge.from}|${edge.to}|s1`]);
  });

  it('shows shared relays once with all streams, in the row of their highest tier', () => {
    const model = buildForest(snapshot, ALL_STREAMS);
    expect(model.rows[0]?.items.map((i) => i.id)).toEqual(['origin:demo-live', 'origin:demo-vod']);
    expect(model.nodes.get('r-nyc-1')?.streams.sort()).toEqual([LIVE, VOD]);
    const drawnIds = model.rows.flatMap((r) =>
      r.items.flatMap((i) => (i.type === 'farm' ? model.farms.get(i.id)!.nodeIds : [i.id])),
    );
    expect(new Set(drawnIds).size).toBe(drawnIds.length);
  });

  it('walks the tiers from the edges when the coordinator reports no members (skeleton planner)', () => {
    const skeleton = makeSnapshotFixture();
    const model = buildForest(skeleton, LIVE);
    expect(model.planned).toBe(false);
    expect(model.farms.size).toBe(0);
    expect(model.nodes.get('r-fra-1')?.tier).toBe(1);
    expect(model.nodes.get('r-ams-1')?.tier).toBe(2);
    expect(model.nodes.get('r-tab-7')?.tier).toBe(3);
    expect(model.nodes.get('v-live-b01')?.tier).toBe(4);
    expect(model.unattached.map((n) => n.id)).toContain('v-live-030');
    expect(model.stripes).toEqual([]);
  });

  it('keeps the structure key while only figures change, and changes it when the forest does', () => {
    const key = (tick: number, liveViewers = 40) =>
      buildForest(makeForestFixture({ tick, liveViewers }), LIVE).structureKey;
    expect(key(1)).toBe(key(7));
    expect(key(1, 44)).not.toBe(key(1));
  });
  it('attaches the child’s source figures to the edges of striped pulls, not to summed edges', () => {
    const model = buildForest(snapshot, LIVE);
    const into = model.edges.filter((e) => e.to === 'v-live-0004');
    const pull = snapshot.members?.find((m) => m.nodeId === 'v-live-0004')?.pull;
    const share = (peerId: string) => pull?.sources.find((s) => s.peerId === peerId)?.share;
    expect(into.map((e) => [e.from, e.stripe, e.source?.letter, e.source?.share])).toEqual([
      ['r-nyc-2', 1, 'A', share('r-nyc-2')],
      ['r-nyc-3', 0, 'B', share('r-nyc-3')],
    ]);
    expect(share('r-nyc-2')).toBeLessThan(0.5); // the slow source
    // Relays pull one stripe from one parent: no source figures.
    expect(model.edges.find((e) => e.to === 'r-fra-1')?.source).toBeUndefined();
    const summed = model.edges.filter((e) => e.to.startsWith('cluster:'));
    expect(summed.length).toBeGreaterThan(0);
    for (const e of summed) expect(e.source).toBeUndefined();
  });
});
