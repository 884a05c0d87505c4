/**
 * The live topology drawing (SVG).
 *
 * Test ids (Playwright relies on them):
 * - `graph-node-<nodeId>` on every node's `<g>`; origins are `graph-node-origin:<streamId>`.
 *   Every node of the selected stream (with "All streams": every node of the snapshot, idle relays
 *   included) is drawn exactly once.
 * - `graph-edge-<streamId>|<from>|<to>` on every edge's `<g>`.
 * - `topology-graph` on the `<svg>`.
 */
import { useMemo, useRef } from 'react';
import type { StreamId } from '@p2pcdn/core';
import { GraphEdge } from './graph-edge.tsx';
import type { GraphLayout } from './graph-layout.ts';
import type { GraphModel } from './graph-model.ts';
import { GraphNode } from './graph-node.tsx';
import { STREAM_COLORS, streamColor } from './graph-style.ts';
import { useViewBox, type ViewBox } from './use-view-box.ts';

/** Props of {@link TopologyGraph}. */
export interface TopologyGraphProps {
  model: GraphModel;
  layout: GraphLayout;
  /** Every stream of the snapshot, in order: edge colours follow it. */
  allStreamIds: readonly StreamId[];
  /** Drawn height in CSS pixels. */
  height: number;
}

function Markers() {
  const arrow = (id: string, color: string) => (
    <marker
      key={id}
      id={id}
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
  );
  return (
    <defs>
      {STREAM_COLORS.map((color, i) => arrow(`arrow-${i}`, color))}
      {arrow('arrow-planned', '#94a3b8')}
    </defs>
  );
}

/** The SVG graph with pan/zoom controls; layout comes from outside (and is reused while stable). */
export function TopologyGraph({ model, layout, allStreamIds, height }: TopologyGraphProps) {
  const svgRef = useRef<SVGSVGElement>(null);
  const content = useMemo<ViewBox>(
    () => ({ x: 0, y: 0, w: Math.max(layout.width, 1), h: Math.max(layout.height, 1) }),
    [layout],
  );
  const view = useViewBox(svgRef, content);
  const { x, y, w, h } = view.viewBox;

  return (
    <div className="graph-frame">
      <div className="graph-zoom" role="toolbar" aria-label="Zoom">
        <button type="button" onClick={view.zoomIn} title="Zoom in (Ctrl + wheel)" aria-label="Zoom in">
          +
        </button>
        <button type="button" onClick={view.zoomOut} title="Zoom out (Ctrl + wheel)" aria-label="Zoom out">
          −
        </button>
        <button type="button" onClick={view.fit} disabled={view.fitted} title="Show the whole graph">
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
        onPointerDown={view.onPointerDown}
        role="img"
        aria-label={`Topology: ${model.nodes.length + model.unattached.length} nodes, ${model.edges.length} edges`}
      >
        <Markers />
        <g className="gedges">
          {model.edges.map((edge) => {
            const route = layout.edges[edge.key];
            if (!route) return null;
            const color = streamColor(edge.streamId, allStreamIds);
            const index = STREAM_COLORS.indexOf(color as (typeof STREAM_COLORS)[number]);
            const markerId = edge.state === 'planned' ? 'arrow-planned' : `arrow-${index}`;
            return <GraphEdge key={edge.key} edge={edge} route={route} color={color} markerId={markerId} />;
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
        <g className="gnodes">
          {[...model.nodes, ...model.unattached].map((node) => {
            const box = layout.nodes[node.id];
            return box ? <GraphNode key={node.id} node={node} box={box} /> : null;
          })}
        </g>
      </svg>
    </div>
  );
}
