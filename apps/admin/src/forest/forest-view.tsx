/**
 * The live forest drawing (SVG): one row per tier, farms boxed, viewers beyond a threshold folded
 * into clusters.
 *
 * Test ids (Playwright relies on them):
 * - `topology-graph` on the `<svg>`; `forest-tier-<n>` on each tier's band (0 = origins).
 * - `graph-node-<nodeId>` on every drawn node (origins: `graph-node-origin:<streamId>`); every
 *   node of the selection is drawn once, unless it is folded into a `graph-cluster-<id>`.
 * - `graph-edge-<streamId>|<from>|<to>` on every edge (`|s<stripe>` appended when a parent feeds
 *   one child several stripes; `<to>` is the cluster id for summed edges).
 * - `graph-farm-<farm>@<tier>`, `farm-balance-<farm>@<tier>`, `graph-cluster-<id>`.
 * - `forest-selected` on the ring around the node whose sources are shown (click a node).
 */
import type { PlannerSettings, StreamId } from '@p2pcdn/core';
import { useMemo, useRef, type PointerEvent as ReactPointerEvent } from 'react';
import { formatKbps, formatShare } from '../format/format.ts';
import { GraphEdge } from '../graph/graph-edge.tsx';
import type { EdgeRoute } from '../graph/graph-layout.ts';
import { GraphNode } from '../graph/graph-node.tsx';
import { STREAM_COLORS } from '../graph/graph-style.ts';
import { useViewBox, type ViewBox } from '../graph/use-view-box.ts';
import { FOREST_NODE_SIZE, type Box, type ForestLayout } from './forest-layout.ts';
import type { ForestEdge, ForestModel } from './forest-model.ts';
import { ClusterNode, CompactRelay, FarmBox } from './forest-parts.tsx';
import {
  DEFAULT_WATER_MARKS,
  STRIPE_COLORS,
  edgeColor,
  loadState,
  type EdgeColoring,
} from './forest-style.ts';

/** With more edges than this in view, throughput pills are left to the tooltips. */
export const EDGE_LABEL_LIMIT = 120;

/** Props of {@link ForestView}. */
export interface ForestViewProps {
  model: ForestModel;
  layout: ForestLayout;
  /** Every stream of the snapshot, in order: stream colours follow it. */
  allStreamIds: readonly StreamId[];
  /** Only edges of this stripe (null: all). */
  stripe: number | null;
  coloring: EdgeColoring;
  planner: Pick<PlannerSettings, 'highWater' | 'lowWater'> | undefined;
  /** Drawn height in CSS pixels. */
  height: number;
  /** The node whose sources are shown (ringed). */
  selectedId?: string | null;
  /** Called with the node clicked (a press that did not pan). */
  onSelect?: (nodeId: string) => void;
}

const markerId = (color: string): string => `arrow-${color.slice(1)}`;

function Markers() {
  const colors = [...STREAM_COLORS, ...STRIPE_COLORS, '#94a3b8'];
  return (
    <defs>
      {colors.map((color) => (
        <marker
          key={color}
          id={markerId(color)}
          viewBox="0 0 10 10"
          refX={9}
          refY={5}
          markerWidth={7}
          markerHeight={7}
          markerUnits="userSpaceOnUse"
          orient="auto"
        >
          <path d="M0,0 L10,5 L0,10 z" fill={color} />
        </marker>
      ))}
    </defs>
  );
}

/** A vertical S from the parent's bottom to the child's top (Catmull-Rom through four points). */
export function forestRoute(from: Box, to: Box): EdgeRoute {
  const start = { x: from.x, y: from.y + from.height / 2 };
  const end = { x: to.x, y: to.y - to.height / 2 };
  const bend = Math.max(12, Math.abs(end.y - start.y) / 3);
  return {
    points: [start, { x: start.x, y: start.y + bend }, { x: end.x, y: end.y - bend }, end],
    // Three quarters along the middle run, where edges into different children have fanned out.
    label: { x: start.x + 0.75 * (end.x - start.x), y: start.y + bend + 0.75 * (end.y - start.y - 2 * bend) },
    style: 'curve',
  };
}

/**
 * The edge's pill: its throughput, or for a source of a striped pull its letter and share of the
 * child's pattern (the width still shows the throughput, the tooltip both).
 */
export function edgeLabel(edge: ForestEdge, show: boolean): string | null {
  if (!show) return null;
  if (edge.state === 'planned') return 'planned';
  // The stripe is the edge's colour; a summed edge says how many it stands for.
  if (edge.count > 1) return `${edge.count}× ${formatKbps(edge.kbps)}`;
  if (edge.source) {
    const letter = edge.source.letter === '' ? '' : `${edge.source.letter} `;
    return `${letter}${Math.round(edge.source.share * 100)}%`;
  }
  return formatKbps(edge.kbps);
}

function edgeNote(edge: ForestEdge): string {
  const lines = [
    `${edge.stripe === undefined ? '' : `stripe ${edge.stripe}`}${edge.count > 1 ? ` · ${edge.count} edges summed` : ''}`,
  ];
  const source = edge.source;
  if (source) {
    lines.push(
      `source ${source.letter || '(no letter yet)'}: ${formatShare(source.share)} of the pattern, ` +
        `${formatKbps(source.kbps)} delivered, ${source.outOfSequence} out of sequence`,
    );
  }
  return lines.filter(Boolean).join('\n');
}

/** Pointer travel (CSS px) under which a press on a node is a click, not a pan. */
const CLICK_SLOP = 4;

/** The SVG forest with pan/zoom controls; the layout comes from outside (and is reused while stable). */
export function ForestView({
  model,
  layout,
  allStreamIds,
  stripe,
  coloring,
  planner,
  height,
  selectedId = null,
  onSelect,
}: ForestViewProps) {
  const svgRef = useRef<SVGSVGElement>(null);
  const press = useRef<{ id: string; x: number; y: number } | null>(null);
  const content = useMemo<ViewBox>(
    () => ({ x: 0, y: 0, w: Math.max(layout.width, 1), h: Math.max(layout.height, 1) }),
    [layout],
  );
  const view = useViewBox(svgRef, content);
  const { x, y, w, h } = view.viewBox;
  const marks = planner ?? DEFAULT_WATER_MARKS;
  const edges = stripe === null ? model.edges : model.edges.filter((e) => e.stripe === stripe);
  const labels = edges.length <= EDGE_LABEL_LIMIT;
  const nodeCount = model.nodes.size + model.unattached.length;
  const selectedBox = selectedId === null ? undefined : layout.boxes.get(selectedId);

  // Pan takes the pointer on press, so a click is a press and release close together on a node.
  const onPointerDown = (event: ReactPointerEvent<SVGSVGElement>) => {
    const hit = event.target instanceof Element ? event.target.closest('[data-node-id]') : null;
    const id = hit?.getAttribute('data-node-id');
    press.current = id ? { id, x: event.clientX, y: event.clientY } : null;
    view.onPointerDown(event);
  };
  const onPointerUp = (event: ReactPointerEvent<SVGSVGElement>) => {
    const start = press.current;
    press.current = null;
    if (!start || !onSelect) return;
    if (Math.abs(event.clientX - start.x) + Math.abs(event.clientY - start.y) <= CLICK_SLOP)
      onSelect(start.id);
  };

  return (
    <div className="graph-frame">
      <div className="graph-zoom" role="toolbar" aria-label="Zoom">
        <button type="button" onClick={view.zoomIn} title="Zoom in (Ctrl + wheel)" aria-label="Zoom in">
          +
        </button>
        <button type="button" onClick={view.zoomOut} title="Zoom out (Ctrl + wheel)" aria-label="Zoom out">
          −
        </button>
        <button type="button" onClick={view.fit} disabled={view.fitted} title="Show the whole forest">
          Fit
        </button>
      </div>
      <svg
        ref={svgRef}
        data-testid="topology-graph"
        className="graph-svg"
        viewBox={`${x} ${y} ${w} ${h}`}
        preserveAspectRatio="xMidYMin meet"
        style={{ height }}
        onPointerDown={onPointerDown}
        onPointerUp={onPointerUp}
        role="img"
        aria-label={`Forest: ${nodeCount} nodes, ${model.clusters.size} clusters, ${model.edges.length} edges`}
      >
        <Markers />
        <g className="gtiers">
          {layout.rows.map((row, i) => (
            <g key={row.tier} data-testid={`forest-tier-${row.tier}`} className={i % 2 ? 'odd' : 'even'}>
              <rect x={0} y={row.top} width={layout.width} height={row.height} />
              <text x={10} y={row.top + 18}>
                {row.tier === 0 ? 'origin' : `tier ${row.tier}`}
              </text>
            </g>
          ))}
        </g>
        <g className="gfarms">
          {[...model.farms].map(([key, farm]) => {
            const box = layout.boxes.get(key);
            return box ? <FarmBox key={key} farmKey={key} farm={farm} box={box} planner={marks} /> : null;
          })}
        </g>
        <g className="gedges">
          {edges.map((edge) => {
            const from = layout.boxes.get(edge.from);
            const to = layout.boxes.get(edge.to);
            if (!from || !to) return null;
            const color = edge.state === 'planned' ? '#94a3b8' : edgeColor(edge, coloring, allStreamIds);
            return (
              <GraphEdge
                key={edge.key}
                edge={edge}
                route={forestRoute(from, to)}
                color={color}
                markerId={markerId(color)}
                label={edgeLabel(edge, labels)}
                note={edgeNote(edge)}
              />
            );
          })}
        </g>
        {layout.unattachedTop !== null && (
          <g className="gstrip">
            <line x1={8} x2={layout.width - 8} y1={layout.unattachedTop} y2={layout.unattachedTop} />
            <text x={16} y={layout.unattachedTop + 17}>
              Not in a tree · waiting for a parent (HTTP only) or idle
            </text>
          </g>
        )}
        {selectedBox && (
          <rect
            className="gselected"
            data-testid="forest-selected"
            x={selectedBox.x - selectedBox.width / 2 - 4}
            y={selectedBox.y - selectedBox.height / 2 - 4}
            width={selectedBox.width + 8}
            height={selectedBox.height + 8}
            rx={10}
          />
        )}
        <g className="gnodes">
          {[...model.nodes.values(), ...model.unattached].map((node) => {
            const box = layout.boxes.get(node.id);
            if (!box) return null;
            let drawn;
            if (node.load === undefined) drawn = <GraphNode node={node} box={box} />;
            else {
              const state = loadState(node.load, node.kind === 'relay', marks);
              drawn =
                box.height < FOREST_NODE_SIZE.viewer.height ? (
                  <CompactRelay node={node} box={box} load={node.load} state={state} />
                ) : (
                  <GraphNode node={node} box={box} load={node.load} loadState={state} />
                );
            }
            return (
              <g key={node.id} data-node-id={node.id} className={onSelect ? 'gnode-hit' : undefined}>
                {drawn}
              </g>
            );
          })}
          {[...model.clusters.values()].map((cluster) => {
            const box = layout.boxes.get(cluster.id);
            return box ? <ClusterNode key={cluster.id} cluster={cluster} box={box} /> : null;
          })}
        </g>
      </svg>
    </div>
  );
}
