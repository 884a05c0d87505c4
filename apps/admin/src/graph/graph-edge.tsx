import { formatKbps } from '../format/format.ts';
import { busPath, smoothPath } from './edge-path.ts';
import type { EdgeRoute } from './graph-layout.ts';
import type { GraphEdgeModel } from './graph-model.ts';
import { edgeWidth } from './graph-style.ts';

/** Props of {@link GraphEdge}. */
export interface GraphEdgeProps {
  edge: GraphEdgeModel;
  route: EdgeRoute;
  color: string;
  /** Id of the arrowhead `<marker>` in this colour. */
  markerId: string;
  /** The pill's text (default: the throughput, or `planned`); null draws no pill. */
  label?: string | null;
  /** Extra tooltip line (e.g. how many edges a summed edge stands for). */
  note?: string;
}

/** Width of the label pill for `text` (10 px font). */
function labelWidth(text: string): number {
  return Math.round(text.length * 5.6 + 10);
}

/**
 * A parent → child edge: dashed while planned, solid once connected, as wide as its throughput,
 * with the throughput in a pill on the way. Carries `data-testid="graph-edge-<streamId>|<from>|<to>"`.
 */
export function GraphEdge({ edge, route, color, markerId, label, note }: GraphEdgeProps) {
  const planned = edge.state === 'planned';
  const text = label === undefined ? (planned ? 'planned' : formatKbps(edge.kbps)) : label;
  const width = text === null ? 0 : labelWidth(text);
  return (
    <g data-testid={`graph-edge-${edge.key}`} className={`gedge${planned ? ' gedge-planned' : ''}`}>
      <title>{`${edge.from} → ${edge.to} (${edge.streamId}): ${edge.state}, ${formatKbps(edge.kbps)}${note ? `\n${note}` : ''}`}</title>
      <path
        d={route.style === 'bus' ? busPath(route.points, route.bend ?? 0) : smoothPath(route.points)}
        fill="none"
        stroke={planned ? '#94a3b8' : color}
        strokeWidth={planned ? 1.2 : edgeWidth(edge.kbps)}
        strokeDasharray={planned ? '5 4' : undefined}
        strokeOpacity={planned ? 0.9 : 0.75}
        markerEnd={route.style === 'bus' ? undefined : `url(#${markerId})`}
      />
      {text !== null && (
        <g transform={`translate(${route.label.x},${route.label.y})`} className="gedge-label">
          <rect
            x={-width / 2}
            y={-7.5}
            width={width}
            height={15}
            rx={7.5}
            stroke={planned ? '#cbd5e1' : color}
          />
          <text textAnchor="middle" y={3.5}>
            {text}
          </text>
        </g>
      )}
    </g>
  );
}
