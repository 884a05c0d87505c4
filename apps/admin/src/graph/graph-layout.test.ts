import { describe, expect, it } from 'vitest';
import { LIVE, makeSnapshotFixture } from '../fixtures/snapshot-fixture.ts';
import { LEAF_BLOCK_COLUMNS, cachedLayout, layoutGraph } from './graph-layout.ts';
import { ALL_STREAMS, buildGraphModel } from './graph-model.ts';

describe('graph-layout', () => {
  const model = buildGraphModel(makeSnapshotFixture(), LIVE);
  const layout = layoutGraph(model);

  it('places every node, attached or not', () => {
    for (const node of [...model.nodes, ...model.unattached]) expect(layout.nodes[node.id]).toBeDefined();
    for (const edge of model.edges) expect(layout.edges[edge.key]?.points.length).toBeGreaterThan(1);
  });

  it('draws top to bottom: each tier sits below the previous one', () => {
    const yOfTier = new Map<number, number>();
    for (const node of model.nodes) {
      if (node.tier === null) continue;
      yOfTier.set(node.tier, layout.nodes[node.id]!.y);
    }
    for (let tier = 1; tier <= model.maxTier; tier += 1) {
      expect(yOfTier.get(tier)!).toBeGreaterThan(yOfTier.get(tier - 1)!);
    }
  });

  it('puts unattached nodes in a strip below the trees', () => {
    const lowestTree = Math.max(...model.nodes.map((n) => layout.nodes[n.id]!.y));
    expect(layout.unattachedTop).not.toBeNull();
    expect(layout.nodes['v-live-030']!.y).toBeGreaterThan(lowestTree);
    expect(layout.height).toBeGreaterThan(layout.nodes['v-live-030']!.y);
  });

  it('does not overlap nodes of ~40-node graphs', () => {
    const all = layoutGraph(buildGraphModel(makeSnapshotFixture(), ALL_STREAMS));
    const boxes = Object.values(all.nodes);
    expect(boxes.length).toBeGreaterThanOrEqual(40);
    for (let i = 0; i < boxes.length; i += 1) {
      for (let j = i + 1; j < boxes.length; j += 1) {
        const a = boxes[i]!;
        const b = boxes[j]!;
        const apart =
          Math.abs(a.x - b.x) >= (a.width + b.width) / 2 || Math.abs(a.y - b.y) >= (a.height + b.height) / 2;
        expect(apart).toBe(true);
      }
    }
  });

  it('reuses the same layout while the topology is unchanged', () => {
    const first = cachedLayout(buildGraphModel(makeSnapshotFixture({ tick: 1 }), LIVE));
    const second = cachedLayout(buildGraphModel(makeSnapshotFixture({ tick: 5 }), LIVE));
    const grown = cachedLayout(buildGraphModel(makeSnapshotFixture({ tick: 5, liveViewers: 32 }), LIVE));
    expect(second).toBe(first);
    expect(grown).not.toBe(first);
  });

  it('wraps a parent’s many leaves into rows below it, each edge labelled above its leaf', () => {
    const parentsOf = (id: string) => model.edges.filter((e) => e.to === id).length;
    const leaves = model.edges.filter((e) => e.from === 'r-nyc-1' && parentsOf(e.to) === 1).map((e) => e.to);
    expect(leaves.length).toBeGreaterThan(LEAF_BLOCK_COLUMNS);
    const parent = layout.nodes['r-nyc-1']!;
    const rows = new Set(leaves.map((id) => layout.nodes[id]!.y));
    expect(rows.size).toBeGreaterThan(1);
    for (const id of leaves) {
      const leaf = layout.nodes[id]!;
      expect(leaf.y).toBeGreaterThan(parent.y);
      const route = layout.edges[`demo-live|r-nyc-1|${id}`]!;
      expect(route.style).toBe('bus');
      expect(route.points.at(-1)).toEqual({ x: leaf.x, y: leaf.y - leaf.height / 2 });
      expect(route.label.x).toBe(leaf.x);
      expect(route.label.y).toBeLessThan(leaf.y - leaf.height / 2);
    }
  });

  it('keeps ~40 nodes within a readable width', () => {
    const all = layoutGraph(buildGraphModel(makeSnapshotFixture(), ALL_STREAMS));
    // 36 viewers side by side would need ~4,500 px; wrapped they fit a wide screen.
    expect(all.width).toBeLessThan(2000);
  });
});
