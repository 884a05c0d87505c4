import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { FOREST_PLANNER, makeForestFixture } from '../fixtures/forest-fixture.ts';
import { LIVE, makeSnapshotFixture } from '../fixtures/snapshot-fixture.ts';
import { ALL_STREAMS, type StreamSelection } from '../graph/graph-model.ts';
import {
  FARM_PAD,
  FOREST_NODE_SIZE,
  MAX_LINE_WIDTH,
  cachedForestLayout,
  layoutForest,
} from './forest-layout.ts';
import { COMPACT_FARM_ABOVE, buildForest, type ForestModel } from './forest-model.ts';
import { ForestView, edgeLabel } from './forest-view.tsx';

function render(model: ForestModel, stripe: number | null = null): string {
  return renderToStaticMarkup(
    <ForestView
      model={model}
      layout={layoutForest(model)}
      allStreamIds={['demo-live', 'demo-vod']}
      stripe={stripe}
      coloring="stripe"
      planner={FOREST_PLANNER}
      height={700}
    />,
  );
}

const testIds = (html: string, prefix: string): string[] =>
  [...html.matchAll(new RegExp(`data-testid="${prefix}([^"]+)"`, 'g'))].map((m) => m[1] ?? '');

function forest(selection: StreamSelection, clusterAbove?: number): ForestModel {
  return buildForest(makeForestFixture(), selection, clusterAbove === undefined ? {} : { clusterAbove });
}

describe('forest-view', () => {
  it('draws the tiers in order, top to bottom', () => {
    const model = forest(LIVE);
    const html = render(model);
    expect(testIds(html, 'forest-tier-')).toEqual(['0', '1', '2', '3']);
    const layout = layoutForest(model);
    const tops = layout.rows.map((r) => r.top);
    expect([...tops].sort((a, b) => a - b)).toEqual(tops);
    for (const row of model.rows) {
      const band = layout.rows.find((r) => r.tier === row.tier)!;
      for (const item of row.items) {
        const box = layout.boxes.get(item.id)!;
        expect(box.y).toBeGreaterThan(band.top);
        expect(box.y).toBeLessThan(band.top + band.height);
      }
    }
  });

  it('draws graph-node-<id> once per node, and clusters with their count', () => {
    const snapshot = makeForestFixture();
    const model = forest(ALL_STREAMS);
    const html = render(model);
    const nodes = testIds(html, 'graph-node-');
    expect(new Set(nodes).size).toBe(nodes.length);
    const clustered = [...model.clusters.values()].flatMap((c) => c.nodeIds);
    expect(clustered.length).toBeGreaterThan(0);
    expect([...nodes, ...clustered].sort()).toEqual(snapshot.nodes.map((n) => n.id).sort());
    const counts = [...html.matchAll(/data-testid="graph-cluster-([^"]+)" data-count="(\d+)"/g)];
    expect(counts.map((m) => [m[1], Number(m[2])])).toEqual(
      [...model.clusters.values()].map((c) => [c.id, c.nodeIds.length]),
    );
    expect(html).toContain(`>${clustered.length} viewers<`);
  });

  it('draws every node of the skeleton planner’s snapshot (no members)', () => {
    const snapshot = makeSnapshotFixture();
    const html = render(buildForest(snapshot, ALL_STREAMS));
    expect(testIds(html, 'graph-node-').sort()).toEqual(snapshot.nodes.map((n) => n.id).sort());
  });

  it('shows each farm’s balance and flags relays over the high-water mark', () => {
    const model = forest(LIVE);
    const html = render(model);
    const farm = model.farms.get('t2:eu-west@2')!;
    const pct = (v: number) => `${Math.round(v * 100)}%`;
    const balance = html.match(/data-testid="farm-balance-t2:eu-west@2">([^<]*)</)?.[1] ?? '';
    expect(balance).toContain(`load ${pct(farm.min)}–${pct(farm.max)}`);
    expect(balance).toContain(`least ${farm.leastLoaded}`);
    expect(html).toMatch(/data-testid="graph-node-r-ams-2" class="gnode gnode-relay gnode-over"/);
    expect(html).toMatch(/data-testid="graph-node-r-nyc-4" class="gnode gnode-relay gnode-under"/);
    expect(html).toMatch(/data-testid="graph-node-r-ams-1" class="gnode gnode-relay gnode-ok"/);
  });

  it('draws only the chosen stripe’s edges, in that stripe’s colour', () => {
    const model = forest(LIVE, Infinity);
    const all = testIds(render(model), 'graph-edge-');
    const stripe1 = testIds(render(model, 1), 'graph-edge-');
    expect(all).toHaveLength(model.edges.length);
    expect(stripe1).toEqual(model.edges.filter((e) => e.stripe === 1).map((e) => e.key));
    expect(stripe1.length).toBeGreaterThan(0);
    expect(stripe1.length).toBeLessThan(all.length);
  });

  it('places farm relays inside their farm’s box, without overlaps', () => {
    const model = forest(ALL_STREAMS);
    const layout = layoutForest(model);
    for (const [key, farm] of model.farms) {
      const box = layout.boxes.get(key)!;
      for (const id of farm.nodeIds) {
        const relay = layout.boxes.get(id)!;
        expect(Math.abs(relay.x - box.x) + relay.width / 2).toBeLessThanOrEqual(box.width / 2);
        expect(relay.y + relay.height / 2).toBeLessThanOrEqual(box.y + box.height / 2);
        expect(relay.y - relay.height / 2).toBeGreaterThanOrEqual(box.y - box.height / 2);
      }
    }
    const drawn = [...model.nodes.keys(), ...model.clusters.keys()].flatMap(
      (id) => layout.boxes.get(id) ?? [],
    );
    for (let i = 0; i < drawn.length; i += 1) {
      for (let j = i + 1; j < drawn.length; j += 1) {
        const a = drawn[i]!;
        const b = drawn[j]!;
        const apart =
          Math.abs(a.x - b.x) >= (a.width + b.width) / 2 || Math.abs(a.y - b.y) >= (a.height + b.height) / 2;
        expect(apart).toBe(true);
      }
    }
  });

  it('tiles the relays of a large farm compactly, inside the box and within a line', () => {
    const model = buildForest(makeForestFixture({ liveViewers: 600, vodViewers: 20 }), LIVE);
    const layout = layoutForest(model);
    const [key, farm] = [...model.farms].find(([, f]) => f.nodeIds.length > COMPACT_FARM_ABOVE)!;
    const box = layout.boxes.get(key)!;
    expect(box.width).toBeLessThanOrEqual(MAX_LINE_WIDTH + 2 * FARM_PAD);
    for (const id of farm.nodeIds) {
      const relay = layout.boxes.get(id)!;
      expect(relay.height).toBeLessThan(FOREST_NODE_SIZE.relay.height);
      expect(Math.abs(relay.x - box.x) + relay.width / 2).toBeLessThanOrEqual(box.width / 2);
      expect(relay.y + relay.height / 2).toBeLessThanOrEqual(box.y + box.height / 2);
    }
    // Edges into and out of its relays are summed per farm, stream and stripe, throughput kept.
    const members = new Set(farm.nodeIds);
    expect(model.edges.some((e) => members.has(e.from) || members.has(e.to))).toBe(false);
    const into = model.edges.filter((e) => e.to === key);
    expect([...new Set(into.map((e) => e.from))].sort()).toEqual(['r-fra-1', 'r-fra-2']);
    const raw = makeForestFixture({ liveViewers: 600, vodViewers: 20 }).edges;
    const rawInto = raw.filter((e) => e.streamId === LIVE && members.has(e.to));
    expect(into.reduce((n, e) => n + e.kbps, 0)).toBe(rawInto.reduce((n, e) => n + e.kbps, 0));
    expect(into.reduce((n, e) => n + e.count, 0)).toBe(rawInto.length);
    const html = render(model);
    for (const id of farm.nodeIds)
      expect(html).toContain(`data-testid="graph-node-${id}" class="gnode gnode-relay gnode-compact`);
  });

  it('reuses the layout while only figures change', () => {
    const first = cachedForestLayout(buildForest(makeForestFixture({ tick: 2 }), LIVE));
    const second = cachedForestLayout(buildForest(makeForestFixture({ tick: 9 }), LIVE));
    expect(second).toBe(first);
  });
  it('labels the edges of striped pulls with the source’s letter and share', () => {
    const model = forest(LIVE);
    const edge = model.edges.find((e) => e.from === 'r-nyc-2' && e.to === 'v-live-0004');
    const share = edge?.source?.share ?? NaN;
    expect(edge && edgeLabel(edge, true)).toBe(`A ${Math.round(share * 100)}%`);
    const html = render(model);
    expect(html).toContain(`>A ${Math.round(share * 100)}%<`);
    expect(html).toContain(`source A: ${(share * 100).toFixed(1)}% of the pattern`);
    const planned = model.edges.find((e) => e.state === 'planned');
    expect(planned && edgeLabel(planned, true)).toBe('planned');
  });

  it('rings the selected node and marks nodes clickable', () => {
    const model = forest(LIVE);
    const layout = layoutForest(model);
    const html = renderToStaticMarkup(
      <ForestView
        model={model}
        layout={layout}
        allStreamIds={['demo-live', 'demo-vod']}
        stripe={null}
        coloring="stripe"
        planner={FOREST_PLANNER}
        height={700}
        selectedId="v-live-0004"
        onSelect={() => {}}
      />,
    );
    const box = layout.boxes.get('v-live-0004')!;
    expect(html).toContain(`data-testid="forest-selected" x="${box.x - box.width / 2 - 4}"`);
    expect(html).toContain('data-node-id="v-live-0004" class="gnode-hit"');
    // Without a selection there is no ring.
    expect(render(model)).not.toContain('forest-selected');
  });
});
