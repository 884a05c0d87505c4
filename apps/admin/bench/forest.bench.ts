/**
 * The admin's forest at scale: how long the per-snapshot work and the layout take for a snapshot
 * of about 2 000 nodes (the tiered fixture: 1 650 + 150 viewers, two farms, two stripes), against
 * the dagre layout the dashboard used before, on the same snapshot in the same run.
 *
 *   NODE_ENV=production node --import tsx apps/admin/bench/forest.bench.ts [--runs 15] [--dagre-runs 1]
 *
 * `--dagre-runs 0` leaves the (slow) dagre baseline out. Prints a table of medians (CPU and wall ms) and the load average; a benchmark, not a test.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { AdminSnapshotSchema } from '@p2pcdn/core';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { makeForestFixture } from '../src/fixtures/forest-fixture.ts';
import { cachedForestLayout, layoutForest } from '../src/forest/forest-layout.ts';
import { buildForest } from '../src/forest/forest-model.ts';
import { ForestView } from '../src/forest/forest-view.tsx';
import { layoutGraph } from '../src/graph/graph-layout.ts';
import { ALL_STREAMS, buildGraphModel } from '../src/graph/graph-model.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '15' }, 'dagre-runs': { type: 'string', default: '1' } },
});
const runs = Number(values.runs);
const dagreRuns = Number(values['dagre-runs']);

/**
 * Median CPU time of `fn` (user + system of this process, ms) and median wall time: the machine
 * may be shared, and CPU time is what the work costs whatever else runs.
 */
function median(fn: () => unknown, n: number, warmUp = true): { cpu: number; wall: number } {
  if (warmUp) fn();
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const start = performance.now();
    const used = process.cpuUsage();
    fn();
    const spent = process.cpuUsage(used);
    cpu.push((spent.user + spent.system) / 1000);
    wall.push(performance.now() - start);
  }
  const mid = (list: number[]) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? NaN;
  return { cpu: mid(cpu), wall: mid(wall) };
}

const snapshot = makeForestFixture({ liveViewers: 1650, vodViewers: 150 });
const next = makeForestFixture({ tick: 1, liveViewers: 1650, vodViewers: 150 });
const clustered = buildForest(snapshot, ALL_STREAMS);
const flat = buildForest(snapshot, ALL_STREAMS, { clusterAbove: Infinity });
const render = (model: typeof clustered) =>
  renderToStaticMarkup(
    createElement(ForestView, {
      model,
      layout: layoutForest(model),
      allStreamIds: ['demo-live', 'demo-vod'],
      stripe: null,
      coloring: 'stream',
      planner: snapshot.planner,
      height: 800,
    }),
  );

const rows: [string, number, string][] = [];
console.log(`${'step'.padEnd(58)} ${'CPU ms'.padStart(9)} ${'wall ms'.padStart(9)}`);
const add = (name: string, ms: { cpu: number; wall: number }, note = '') => {
  rows.push([name, ms.cpu, note]);
  console.log(
    `${name.padEnd(58)} ${ms.cpu.toFixed(2).padStart(9)} ${ms.wall.toFixed(2).padStart(9)}  ${note}`,
  );
};
console.log(
  `snapshot: ${snapshot.nodes.length} nodes, ${snapshot.edges.length} edges; drawn: ${clustered.nodes.size - [...clustered.clusters.values()].reduce((n, c) => n + c.nodeIds.length, 0)} nodes + ${clustered.clusters.size} clusters, ${clustered.edges.length} edges (clustering off: ${flat.edges.length} edges)`,
);
add(
  'validate (AdminSnapshotSchema.parse, every snapshot)',
  median(() => AdminSnapshotSchema.parse(snapshot), runs),
);
add(
  'buildForest, all streams (every snapshot)',
  median(() => buildForest(snapshot, ALL_STREAMS), runs),
);
add(
  'layoutForest, clustered (on structure change)',
  median(() => layoutForest(clustered), runs),
);
add(
  'cachedForestLayout, figures changed only (every snapshot)',
  median(() => cachedForestLayout(buildForest(next, ALL_STREAMS)), runs),
  'includes buildForest',
);
add(
  'render ForestView to markup, clustered',
  median(() => render(clustered), runs),
);
add(
  'layoutForest, clustering off',
  median(() => layoutForest(flat), runs),
);
add(
  'render ForestView to markup, clustering off',
  median(() => render(flat), runs),
);
if (dagreRuns > 0) {
  const graph = buildGraphModel(snapshot, ALL_STREAMS);
  add(
    'before: buildGraphModel + dagre layoutGraph, same snapshot',
    median(() => layoutGraph(buildGraphModel(snapshot, ALL_STREAMS)), dagreRuns, false),
    `${graph.nodes.length} nodes, ${graph.edges.length} edges, ${dagreRuns} runs`,
  );
}
const dagre = rows.find((r) => r[0].startsWith('before'))?.[1] ?? NaN;
const forest = rows.find((r) => r[0].startsWith('layoutForest, clustered'))?.[1] ?? NaN;
console.log(
  `\ndagre ÷ forest layout: ${(dagre / forest).toFixed(0)}× · load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} · ${os.cpus().length} cores · NODE_ENV=${process.env.NODE_ENV ?? ''}`,
);
