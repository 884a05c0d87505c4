import { ellipsize, formatBufferSec, formatKbps, truncate } from '../format/format.ts';
import type { NodeBox } from './graph-layout.ts';
import type { GraphNodeModel } from './graph-model.ts';
import { AGENT_COLORS, LOW_BUFFER_SEC } from './graph-style.ts';

/** Average glyph widths of the node fonts (11 px bold, 10 px, 9.5 px mono), to know what fits. */
const NAME_CHAR_WIDTH = 7;
const SMALL_CHAR_WIDTH = 5.4;
const MONO_CHAR_WIDTH = 5.8;

function shapeOf(node: GraphNodeModel, box: NodeBox) {
  const { width: w, height: h } = box;
  const colors = AGENT_COLORS[node.agent];
  switch (node.kind) {
    case 'origin':
      return (
        <polygon
          points={`10,0 ${w - 10},0 ${w},${h / 2} ${w - 10},${h} 10,${h} 0,${h / 2}`}
          fill={colors.fill}
          stroke={colors.stroke}
          strokeWidth={1.5}
        />
      );
    case 'relay':
      return (
        <>
          <rect width={w} height={h} rx={4} fill={colors.fill} stroke={colors.stroke} strokeWidth={1.5} />
          <rect width={5} height={h} rx={2} fill={colors.stroke} />
        </>
      );
    case 'viewer':
      return (
        <rect width={w} height={h} rx={14} fill={colors.tint} stroke={colors.stroke} strokeWidth={1.2} />
      );
    case 'unknown':
      return (
        <rect width={w} height={h} rx={4} fill={colors.fill} stroke={colors.stroke} strokeDasharray="4 3" />
      );
  }
}

const AGENT_GLYPH: Record<GraphNodeModel['agent'], string> = {
  node: 'NODE',
  browser: 'TAB',
  http: 'HTTP',
  unknown: '?',
};

function tooltip(node: GraphNodeModel): string {
  const lines = [
    node.kind === 'origin' ? `origin of ${node.name}: ${node.detail}` : `${node.name} (${node.id})`,
    `${node.kind}, ${node.agent} agent${node.region ? `, ${node.region}` : ''}`,
    `tier ${node.tier ?? '–'} · streams ${node.streams.join(', ') || '–'}`,
  ];
  if (node.upKbps !== undefined)
    lines.push(`up ${formatKbps(node.upKbps)} · down ${formatKbps(node.downKbps)}`);
  if (node.bufferSec !== undefined) lines.push(`buffer ${formatBufferSec(node.bufferSec)}`);
  if (node.stalls !== undefined) lines.push(`stalls ${node.stalls}`);
  return lines.join('\n');
}

/** Right end of the third line: what matters most for the role. */
function metric(node: GraphNodeModel): string {
  if (node.kind === 'origin' || node.kind === 'relay') return `↑ ${formatKbps(node.upKbps ?? 0)}`;
  if (node.bufferSec !== undefined) return formatBufferSec(node.bufferSec);
  return node.downKbps !== undefined ? `↓ ${formatKbps(node.downKbps)}` : '';
}

/** Where a node's load stands against the planner's water marks. */
export type LoadState = 'over' | 'under' | 'ok';

/** Props of {@link GraphNode}. */
export interface GraphNodeProps {
  node: GraphNodeModel;
  box: NodeBox;
  /** Children's cost ÷ upload capacity (1 = full): drawn as a bar along the bottom. */
  load?: number;
  loadState?: LoadState;
}

/** The load bar along a node's bottom edge, with the load in per cent. */
function LoadBar({
  load,
  state,
  width,
  height,
}: {
  load: number;
  state: LoadState;
  width: number;
  height: number;
}) {
  const left = 12;
  const full = width - left - 44;
  return (
    <g className={`gnode-load load-${state}`} transform={`translate(${left},${height - 10})`}>
      <rect className="track" width={full} height={5} rx={2} />
      <rect className="fill" width={Math.max(1, Math.min(1, load) * full)} height={5} rx={2} />
      <text x={width - left - 9} y={5.5} textAnchor="end">
        {Math.round(load * 100)}%
      </text>
    </g>
  );
}

/**
 * One node of the topology graph: shape by role (hexagon origin, square relay, round viewer),
 * colour by agent (indigo Node agent, teal browser tab), labelled with name, id, region and buffer.
 * Carries `data-testid="graph-node-<id>"`.
 */
export function GraphNode({ node, box, load, loadState = 'ok' }: GraphNodeProps) {
  const dark = node.kind === 'origin';
  const tone = dark ? ' dark' : '';
  const left = node.kind === 'origin' ? 14 : 12;
  const right = box.width - (node.kind === 'origin' ? 14 : 9);
  const glyph = AGENT_GLYPH[node.agent];
  const nameChars = Math.floor((right - left - glyph.length * 5.5 - 8) / NAME_CHAR_WIDTH);
  const value = metric(node);
  const regionChars = Math.floor((right - left - value.length * SMALL_CHAR_WIDTH - 6) / SMALL_CHAR_WIDTH);
  const lowBuffer = node.bufferSec !== undefined && node.bufferSec < LOW_BUFFER_SEC;
  return (
    <g
      data-testid={`graph-node-${node.id}`}
      className={`gnode gnode-${node.kind}${node.tier === null ? ' gnode-detached' : ''}${load === undefined ? '' : ` gnode-${loadState}`}`}
      transform={`translate(${box.x - box.width / 2},${box.y - box.height / 2})`}
    >
      <title>
        {`${tooltip(node)}${load === undefined ? '' : `\nload ${Math.round(load * 100)} %${loadState === 'ok' ? '' : ` (${loadState} water mark)`}`}`}
      </title>
      {shapeOf(node, box)}
      <text x={right} y={13} textAnchor="end" className={`gnode-agent${tone}`}>
        {glyph}
      </text>
      <text x={left} y={16} className={`gnode-name${tone}`}>
        {truncate(node.name, nameChars)}
      </text>
      <text x={left} y={29} className={`gnode-id${tone}`}>
        {node.kind === 'origin'
          ? truncate(node.detail, Math.floor((right - left) / SMALL_CHAR_WIDTH))
          : ellipsize(node.detail, Math.floor((right - left) / MONO_CHAR_WIDTH))}
      </text>
      <text x={left} y={42} className={`gnode-region${tone}`}>
        {truncate(node.region ?? (node.kind === 'origin' ? '' : 'no region'), regionChars)}
      </text>
      <text x={right} y={42} textAnchor="end" className={`gnode-metric${tone}${lowBuffer ? ' low' : ''}`}>
        {value}
      </text>
      {load !== undefined && <LoadBar load={load} state={loadState} width={box.width} height={box.height} />}
      {node.stalls !== undefined && node.stalls > 0 && (
        <g className="gnode-stalls" transform={`translate(${box.width - 3},${box.height - 3})`}>
          <title>{`${node.stalls} stall${node.stalls === 1 ? '' : 's'}`}</title>
          <circle r={7} />
          <text textAnchor="middle" y={3.5}>
            {node.stalls > 9 ? '9+' : node.stalls}
          </text>
        </g>
      )}
    </g>
  );
}
