import type { StreamInfo } from '@p2pcdn/core';
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
}

/** Key to shapes (role), colours (agent), edge styles and stream colours. */
export function GraphLegend({ streams, allStreamIds }: GraphLegendProps) {
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
        <svg width={26} height={10} aria-hidden="true">
          <line x1={1} x2={25} y1={5} y2={5} stroke="#94a3b8" strokeDasharray="5 4" strokeWidth={1.5} />
        </svg>
        planned
      </span>
      {streams.map((s) => (
        <span key={s.id}>
          <svg width={26} height={10} aria-hidden="true">
            <line x1={1} x2={25} y1={5} y2={5} stroke={streamColor(s.id, allStreamIds)} strokeWidth={3} />
          </svg>
          {s.id}
        </span>
      ))}
      <span className="legend-hint">width = throughput · drag to pan · Ctrl + wheel to zoom</span>
    </div>
  );
}
