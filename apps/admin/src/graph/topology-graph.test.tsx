import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { LIVE, makeSnapshotFixture } from '../fixtures/snapshot-fixture.ts';
import { layoutGraph } from './graph-layout.ts';
import { ALL_STREAMS, buildGraphModel, type StreamSelection } from './graph-model.ts';
import { TopologyGraph } from './topology-graph.tsx';

function render(selection: StreamSelection): string {
  const snapshot = makeSnapshotFixture();
  const model = buildGraphModel(snapshot, selection);
  return renderToStaticMarkup(
    <TopologyGraph
      model={model}
      layout={layoutGraph(model)}
      allStreamIds={snapshot.streams.map((s) => s.id)}
      height={600}
    />,
  );
}

const testIds = (html: string, prefix: string): string[] =>
  [...html.matchAll(new RegExp(`data-testid="${prefix}([^"]+)"`, 'g'))].map((m) => m[1] ?? '');

describe('topology-graph', () => {
  it('draws graph-node-<id> exactly once for every node of the snapshot with all streams', () => {
    const snapshot = makeSnapshotFixture();
    const ids = testIds(render(ALL_STREAMS), 'graph-node-');
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(snapshot.nodes.map((n) => n.id).sort());
  });

  it('draws the selected stream’s origin, members and edges only', () => {
    const snapshot = makeSnapshotFixture();
    const html = render(LIVE);
    const ids = testIds(html, 'graph-node-');
    const members = snapshot.nodes.filter((n) => n.streams.includes(LIVE)).map((n) => n.id);
    expect(ids.sort()).toEqual([...members].sort());
    expect(ids).toContain('origin:demo-live');
    const edges = testIds(html, 'graph-edge-');
    expect(edges).toHaveLength(snapshot.edges.filter((e) => e.streamId === LIVE).length);
    expect(edges.every((key) => key.startsWith('demo-live|'))).toBe(true);
  });

  it('labels edges with their throughput and planned edges as planned', () => {
    const html = render(LIVE);
    expect(html).toMatch(/>\d\.\d\d Mbit\/s</);
    expect(html).toContain('>planned<');
    expect(html).toContain('stroke-dasharray="5 4"');
  });
});
