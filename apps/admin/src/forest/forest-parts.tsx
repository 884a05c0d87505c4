import type { PlannerSettings } from '@p2pcdn/core';
import type { LoadState } from '../graph/graph-node.tsx';
import { formatKbps, truncate } from '../format/format.ts';
import type { Box } from './forest-layout.ts';
import { FARM_HEADER } from './forest-layout.ts';
import type { ForestCluster, ForestFarm, ForestNode } from './forest-model.ts';
import { loadState } from './forest-style.ts';

const percent = (load: number): string => `${Math.round(load * 100)}%`;

/** Props of {@link FarmBox}. */
export interface FarmBoxProps {
  /** The farm's key in the model (`<farm>@<tier>`), used in the test id. */
  farmKey: string;
  farm: ForestFarm;
  box: Box;
  planner: Pick<PlannerSettings, 'highWater' | 'lowWater'>;
}

/**
 * A farm: a box around its relays with its balance in the header (relays, least- to most-loaded,
 * mean) and one bar per relay against the water marks.
 * Test ids: `graph-farm-<farm>@<tier>`, `farm-balance-<farm>@<tier>`.
 */
export function FarmBox({ farmKey, farm, box, planner }: FarmBoxProps) {
  const left = box.x - box.width / 2;
  const top = box.y - box.height / 2;
  const barsWidth = Math.min(farm.loads.length * 7, box.width * 0.4);
  const bar = farm.loads.length > 0 ? barsWidth / farm.loads.length : 0;
  const barsLeft = box.width - 8 - barsWidth;
  const scale = (load: number) => (Math.min(load, 1.25) / 1.25) * 26;
  const spread = farm.loads.length > 1 ? `${percent(farm.min)}–${percent(farm.max)}` : percent(farm.max);
  const textChars = Math.floor((barsLeft - 16) / 5.6);
  return (
    <g data-testid={`graph-farm-${farmKey}`} className="gfarm" transform={`translate(${left},${top})`}>
      <title>
        {`farm ${farm.id} (tier ${farm.tier}): ${farm.nodeIds.length} relays\n` +
          farm.loads.map((l) => `${l.id}: ${percent(l.load)}`).join('\n')}
      </title>
      <rect className="gfarm-box" width={box.width} height={box.height} rx={8} />
      <text x={10} y={15} className="gfarm-name">
        {truncate(`farm ${farm.id} · ${farm.nodeIds.length} relays`, textChars)}
      </text>
      <text x={10} y={30} className="gfarm-balance" data-testid={`farm-balance-${farmKey}`}>
        {truncate(
          farm.loads.length > 0
            ? `load ${spread} · mean ${percent(farm.mean)}${farm.loads.length > 1 ? ` · least ${farm.leastLoaded} · most ${farm.mostLoaded}` : ''}`
            : 'no load reported',
          textChars,
        )}
      </text>
      <g transform={`translate(${barsLeft},${FARM_HEADER - 8})`} className="gfarm-bars">
        {farm.loads.map((l, i) => (
          <rect
            key={l.id}
            className={`load-${loadState(l.load, true, planner)}`}
            x={i * bar + 0.5}
            y={-scale(l.load)}
            width={Math.max(1, bar - 1)}
            height={Math.max(1, scale(l.load))}
          />
        ))}
        <line
          className="water high"
          x1={0}
          x2={barsWidth}
          y1={-scale(planner.highWater)}
          y2={-scale(planner.highWater)}
        />
        <line
          className="water low"
          x1={0}
          x2={barsWidth}
          y1={-scale(planner.lowWater)}
          y2={-scale(planner.lowWater)}
        />
      </g>
    </g>
  );
}

/** Props of {@link ClusterNode}. */
export interface ClusterNodeProps {
  cluster: ForestCluster;
  box: Box;
}

/**
 * Viewers folded into one box: how many, where, how they fare.
 * Test id: `graph-cluster-<clusterId>` with `data-count`.
 */
export function ClusterNode({ cluster, box }: ClusterNodeProps) {
  const { width: w, height: h } = box;
  const regions = cluster.regions.map(([region, count]) => `${region} ${count}`).join(' · ');
  const trouble = [
    cluster.stalled > 0 ? `${cluster.stalled} stalled` : '',
    cluster.lowBuffer > 0 ? `${cluster.lowBuffer} low buffer` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return (
    <g
      data-testid={`graph-cluster-${cluster.id}`}
      data-count={cluster.nodeIds.length}
      className="gcluster"
      transform={`translate(${box.x - w / 2},${box.y - h / 2})`}
    >
      <title>
        {`${cluster.nodeIds.length} viewers of ${cluster.streamId} under ${cluster.under}\n${regions}\n` +
          `${formatKbps(cluster.kbps)} in${trouble ? `\n${trouble}` : ''}`}
      </title>
      <rect x={6} y={-6} width={w - 6} height={h} rx={14} className="gcluster-back" />
      <rect x={3} y={-3} width={w - 3} height={h} rx={14} className="gcluster-back" />
      <rect width={w - 6} height={h} rx={14} className="gcluster-front" />
      <text x={12} y={18} className="gcluster-count">
        {cluster.nodeIds.length.toLocaleString('en')} viewers
      </text>
      <text x={12} y={33} className="gcluster-detail">
        {truncate(regions, Math.floor((w - 24) / 5.4))}
      </text>
      <text x={12} y={48} className={`gcluster-detail${trouble ? ' bad' : ''}`}>
        {truncate(
          `↓ ${formatKbps(cluster.kbps)}${trouble ? ` · ${trouble}` : ''}`,
          Math.floor((w - 24) / 5.4),
        )}
      </text>
    </g>
  );
}

/** Props of {@link CompactRelay}. */
export interface CompactRelayProps {
  node: ForestNode;
  box: Box;
  load: number;
  state: LoadState;
}

/**
 * A relay of a large farm as a small tile: its id and load bar (details in the tooltip).
 * Carries `data-testid="graph-node-<id>"` like the full-size node.
 */
export function CompactRelay({ node, box, load, state }: CompactRelayProps) {
  const { width: w, height: h } = box;
  return (
    <g
      data-testid={`graph-node-${node.id}`}
      className={`gnode gnode-${node.kind} gnode-compact gnode-${state}`}
      transform={`translate(${box.x - w / 2},${box.y - h / 2})`}
    >
      <title>{`${node.name} (${node.id})\n${node.region ?? 'no region'} · ↑ ${formatKbps(node.upKbps ?? 0)}\nload ${percent(load)}`}</title>
      <rect width={w} height={h} rx={3} className="gcompact-box" />
      <text x={5} y={12} className="gnode-id">
        {truncate(node.id, Math.floor((w - 8) / 5.4))}
      </text>
      <g className={`gnode-load load-${state}`} transform={`translate(5,${h - 10})`}>
        <rect className="track" width={w - 34} height={5} rx={2} />
        <rect className="fill" width={Math.max(1, Math.min(1, load) * (w - 34))} height={5} rx={2} />
        <text x={w - 10} y={5.5} textAnchor="end">
          {percent(load)}
        </text>
      </g>
    </g>
  );
}
