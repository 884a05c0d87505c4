import type uPlot from 'uplot';
import { formatKbps } from '../format/format.ts';

const GRID = { stroke: '#eef0f3', width: 1 };
const TICKS = { stroke: '#e3e6eb', width: 1, size: 4 };
const AXIS_FONT = '10px system-ui, sans-serif';

/** Compact rate ticks for the y axis: `800k`, `2.4M`. */
export function compactKbps(kbps: number): string {
  if (kbps === 0) return '0';
  if (kbps >= 1_000_000) return `${+(kbps / 1_000_000).toFixed(1)}G`;
  if (kbps >= 1000) return `${+(kbps / 1000).toFixed(1)}M`;
  return `${Math.round(kbps)}k`;
}

function timeAxis(): uPlot.Axis {
  return { stroke: '#6b7785', grid: GRID, ticks: TICKS, font: AXIS_FONT, space: 60, size: 24 };
}

/** Chart of P2P share (cumulative as reported, and over each interval), 0–100 %. */
export function shareChartOptions(color: string): Omit<uPlot.Options, 'width' | 'height'> {
  const percent = (_u: uPlot, v: number | null): string => (v == null ? '–' : `${(v * 100).toFixed(1)}%`);
  return {
    scales: { x: { time: true }, y: { range: [0, 1] } },
    cursor: { drag: { x: false, y: false } },
    legend: { show: true, live: false },
    axes: [
      timeAxis(),
      {
        stroke: '#6b7785',
        grid: GRID,
        ticks: TICKS,
        font: AXIS_FONT,
        size: 38,
        splits: () => [0, 0.25, 0.5, 0.75, 1],
        values: (_u, splits) => splits.map((v) => `${Math.round(v * 100)}%`),
      },
    ],
    series: [
      {},
      {
        label: 'cumulative',
        points: { show: false },
        stroke: color,
        width: 2,
        fill: `${color}1f`,
        value: percent,
      },
      {
        label: 'last 5 s',
        points: { show: false },
        stroke: '#64748b',
        width: 1,
        dash: [4, 3],
        value: percent,
      },
    ],
  };
}

/** Chart of origin egress (reported and measured) against everything delivered, kbit/s. */
export function egressChartOptions(color: string): Omit<uPlot.Options, 'width' | 'height'> {
  const rate = (_u: uPlot, v: number | null): string => formatKbps(v);
  return {
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(100, max * 1.1)] } },
    cursor: { drag: { x: false, y: false } },
    legend: { show: true, live: false },
    axes: [
      timeAxis(),
      {
        stroke: '#6b7785',
        grid: GRID,
        ticks: TICKS,
        font: AXIS_FONT,
        size: 38,
        values: (_u, splits) => splits.map(compactKbps),
      },
    ],
    series: [
      {},
      {
        label: 'delivered',
        points: { show: false },
        stroke: color,
        width: 2,
        fill: `${color}1f`,
        value: rate,
      },
      { label: 'origin egress', points: { show: false }, stroke: '#dc2626', width: 2, value: rate },
      {
        label: 'origin measured',
        points: { show: false },
        stroke: '#dc2626',
        width: 1,
        dash: [4, 3],
        value: rate,
      },
    ],
  };
}
