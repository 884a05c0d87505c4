import type { StreamInfo } from '@p2pcdn/core';
import { stripeColor } from '../forest/forest-style.ts';
import { AGENT_COLORS, streamColor } from './graph-style.ts';

function Swatch({
  shape,
  agent,
}: {
  shape: 'origin' | 'relay' | 'viewer';
  agent: 'node' | 'browser' | 'http';
}) {
  const c = AGENT_COLORS[agent];
  return (
    <svg width={22} height={14} aria-hidden="true">
      {shape === 'origin' && (
        <polygon points="4,1 18,1 21,7 18,13 4,13 1,7" fill={c.fill} stroke={c.stroke} />
      )}
      {shape === 'relay' && (
        <rect x={1} y={1} width={20} height={12} rx={2} fill={c.fill} stroke={c.stroke} />
      )}
      {shape === 'viewer' && (
        <rect x={1} y={1} width={20} height={12} rx={6} fill={c.tint} stroke={c.stroke} />
      )}
    </svg>
  );
}

/** Props of {@link GraphLegend}. */
export interface GraphLegendProps {
  /** Streams drawn, for the edge colour key. */
  streams: readonly StreamInfo[];
  allStreamIds: readonly string[];
  /** Stripes whose colours edges take (empty: edges take their stream's colour). */
  stripes?: readonly number[];
  /** Some edges are sources of striped pulls: explain their `A 60%` pills. */
  pulls?: boolean;
  /** Nodes can be clicked to show their sources. */
  selectable?: boolean;
}

function Line({ color, dash }: { color: string; dash?: string }) {
  return (
    <svg width={26} height={10} aria-hidden="true">
      <line x1={1} x2={25} y1={5} y2={5} stroke={color} strokeWidth={dash ? 1.5 : 3} strokeDasharray={dash} />
    </svg>
  );
}

/** Key to shapes (role), colours (agent), edge styles and stream colours. */
export function GraphLegend({
  streams,
  allStreamIds,
  stripes = [],
  pulls = false,
  selectable = false,
}: GraphLegendProps) {
  return (
    <div className="legend" aria-label="Legend">
      <span>
        <Swatch shape="origin" agent="http" /> origin
      </span>
      <span>
        <Swatch shape="relay" agent="node" /> relay (node agent)
      </span>
      <span>
        <Swatch shape="relay" agent="browser" /> relay (tab)
      </span>
      <span>
        <Swatch shape="viewer" agent="browser" /> viewer (tab)
      </span>
      <span>
        <Swatch shape="viewer" agent="node" /> viewer (headless)
      </span>
      <span>
        <Line color="#94a3b8" dash="5 4" />
        planned
      </span>
      {stripes.length > 0
        ? stripes.map((stripe) => (
            <span key={stripe}>
              <Line color={stripeColor(stripe)} />
              stripe {stripe}
            </span>
          ))
        : streams.map((s) => (
            <span key={s.id}>
              <Line color={streamColor(s.id, allStreamIds)} />
              {s.id}
            </span>
          ))}
      <span>
        <svg width={26} height={10} aria-hidden="true">
          <rect x={1} y={3} width={24} height={5} rx={2} className="legend-load-over" />
        </svg>
        load over high water
      </span>
      <span>
        <svg width={26} height={10} aria-hidden="true">
          <rect x={1} y={3} width={24} height={5} rx={2} className="legend-load-under" />
        </svg>
        under low water
      </span>
      {pulls && (
        <span data-testid="legend-pulls">
          <svg width={30} height={14} aria-hidden="true">
            <rect x={1} y={1} width={28} height={12} rx={6} fill="#fff" stroke="#94a3b8" />
            <text x={15} y={10} textAnchor="middle" fontSize={8}>
              A 60%
            </text>
          </svg>
          source letter and its share of the child&rsquo;s pattern
        </span>
      )}
      <span className="legend-hint">
        width = throughput · drag to pan · Ctrl + wheel to zoom
        {selectable && ' · click a node for its sources'}
      </span>
    </div>
  );
}
