import type { AdminSnapshot } from '@p2pcdn/core';
import { describe, expect, it } from 'vitest';
import { LIVE, VOD, makeSnapshotFixture } from '../fixtures/snapshot-fixture.ts';
import { ALL_STREAMS, buildGraphModel, originId } from './graph-model.ts';

function byId(model: ReturnType<typeof buildGraphModel>, id: string) {
  return [...model.nodes, ...model.unattached].find((n) => n.id === id);
}

describe('graph-model', () => {
  const snapshot = makeSnapshotFixture();

  it('puts the origin pseudo-node of the stream at tier 0', () => {
    const model = buildGraphModel(snapshot, LIVE);
    expect(model.nodes[0]).toMatchObject({ id: 'origin:demo-live', kind: 'origin', agent: 'http', tier: 0 });
    expect(originId(VOD)).toBe('origin:demo-vod');
  });

  it('keeps only the selected stream’s edges', () => {
    const model = buildGraphModel(snapshot, VOD);
    expect(model.edges.every((e) => e.streamId === VOD)).toBe(true);
    expect(model.edges).toHaveLength(snapshot.edges.filter((e) => e.streamId === VOD).length);
    expect(model.streamIds).toEqual([VOD]);
  });

  it('assigns tiers by distance from the origin', () => {
    const model = buildGraphModel(snapshot, LIVE);
    expect(byId(model, 'r-fra-1')?.tier).toBe(1);
    expect(byId(model, 'r-ams-1')?.tier).toBe(2);
    expect(byId(model, 'r-tab-7')?.tier).toBe(3);
    expect(byId(model, 'v-live-b01')?.tier).toBe(byId(model, 'v-live-002')!.tier! + 1);
    expect(model.maxTier).toBeGreaterThanOrEqual(4);
  });

  it('uses the shortest path for striped viewers with parents in different tiers', () => {
    const model = buildGraphModel(snapshot, LIVE);
    // v-live-006 (eu-central) pulls from r-fra-1 (tier 1) and r-ams-1 (tier 2)
    const parents = model.edges.filter((e) => e.to === 'v-live-006').map((e) => e.from);
    expect(parents.sort()).toEqual(['r-ams-1', 'r-fra-1']);
    expect(byId(model, 'v-live-006')?.tier).toBe(2);
  });

  it('sorts nodes by tier, relays before viewers', () => {
    const model = buildGraphModel(snapshot, LIVE);
    const tiers = model.nodes.map((n) => n.tier ?? Infinity);
    expect(tiers).toEqual([...tiers].sort((a, b) => a - b));
  });

  it('sets apart stream members without edges as unattached', () => {
    const model = buildGraphModel(snapshot, LIVE);
    expect(model.unattached.map((n) => n.id)).toEqual(['v-live-030']);
    expect(byId(model, 'v-live-030')?.tier).toBeNull();
  });

  it('shows every listed node exactly once across all streams, idle relays included', () => {
    const model = buildGraphModel(snapshot, ALL_STREAMS);
    const ids = [...model.nodes, ...model.unattached].map((n) => n.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const node of snapshot.nodes) expect(ids).toContain(node.id);
    expect(ids).toContain('origin:demo-live');
    expect(ids).toContain('origin:demo-vod');
    expect(model.unattached.map((n) => n.id)).toEqual(['r-idle-1', 'v-live-030']);
    expect(byId(model, 'r-fra-1')?.streams.sort()).toEqual([LIVE, VOD]);
  });

  it('adds placeholders for edge endpoints the snapshot does not list', () => {
    const ghost: AdminSnapshot = {
      ...snapshot,
      edges: [
        ...snapshot.edges,
        { streamId: LIVE, from: 'r-gone', to: 'v-live-001', state: 'connected', kbps: 5 },
      ],
    };
    const model = buildGraphModel(ghost, LIVE);
    expect(byId(model, 'r-gone')).toMatchObject({ kind: 'unknown', tier: null });
  });

  it('takes name and region from an origin listed as `origin:<streamId>` without drawing it twice', () => {
    const model = buildGraphModel(snapshot, ALL_STREAMS);
    const origins = model.nodes.filter((n) => n.id === 'origin:demo-live');
    expect(origins).toHaveLength(1);
    expect(origins[0]).toMatchObject({
      name: 'demo-live',
      detail: '127.0.0.1:8081',
      region: 'eu-west',
      kind: 'origin',
    });
    expect(model.unattached.some((n) => n.kind === 'origin')).toBe(false);
  });

  it('falls back to the stream title when the origin is not listed', () => {
    const bare: AdminSnapshot = { ...snapshot, nodes: snapshot.nodes.filter((n) => n.role !== 'origin') };
    expect(buildGraphModel(bare, VOD).nodes[0]?.detail).toBe('Demo VOD (TS)');
  });

  it('keeps the topology key when only figures change, and changes it when the tree does', () => {
    const a = buildGraphModel(makeSnapshotFixture({ tick: 1 }), LIVE);
    const b = buildGraphModel(makeSnapshotFixture({ tick: 2 }), LIVE);
    const c = buildGraphModel(makeSnapshotFixture({ tick: 2, liveViewers: 31 }), LIVE);
    expect(a.edges[0]?.kbps).not.toBe(b.edges[0]?.kbps);
    expect(a.topologyKey).toBe(b.topologyKey);
    expect(c.topologyKey).not.toBe(b.topologyKey);
  });

  it('draws an origin alone for a stream nobody watches yet', () => {
    const empty: AdminSnapshot = { ...snapshot, nodes: [], edges: [] };
    const model = buildGraphModel(empty, ALL_STREAMS);
    expect(model.nodes.map((n) => n.id)).toEqual(['origin:demo-live', 'origin:demo-vod']);
    expect(model.edges).toEqual([]);
  });
});

describe('graph-model origin', () => {
  it('shows the stream’s reported origin egress on the origin', () => {
    const snapshot = makeSnapshotFixture();
    const model = buildGraphModel(snapshot, LIVE);
    expect(model.nodes[0]?.upKbps).toBe(snapshot.figures.find((f) => f.streamId === LIVE)?.originKbps);
  });

  it('sums the origin’s outgoing edges when the stream has no figures yet', () => {
    const snapshot = { ...makeSnapshotFixture(), figures: [] };
    const model = buildGraphModel(snapshot, LIVE);
    const expected = snapshot.edges
      .filter((e) => e.from === 'origin:demo-live')
      .reduce((sum, e) => sum + e.kbps, 0);
    expect(model.nodes[0]?.upKbps).toBe(expected);
  });
});
