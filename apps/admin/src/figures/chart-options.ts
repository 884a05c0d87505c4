import type uPlot from 'uplot';
import { formatKbps } from '../format/format.ts';

const GRID = { stroke: '#eef0f3', width: 1 };
const TICKS = { stroke: '#e3e6eb', width: 1, size: 4 };
const AXIS_FONT = '10px system-ui, sans-serif';

/** uPlot options without the size (the chart takes its container's width). */
export type ChartOptions = Omit<uPlot.Options, 'width' | 'height'>;

/** Compact rate ticks for the y axis: `800k`, `2.4M`. */
export function compactKbps(kbps: number): string {
  if (kbps === 0) return '0';
  if (kbps >= 1_000_000) return `${+(kbps / 1_000_000).toFixed(1)}G`;
  if (kbps >= 1000) return `${+(kbps / 1000).toFixed(1)}M`;
  return `${Math.round(kbps)}k`;
}

/** One line of a chart. */
export interface LineSpec {
  label: string;
  color: string;
  /** 2 for the main line, 1 for a reference (default 2). */
  width?: number;
  /** Dashed, e.g. `[4, 3]` for forecasts and references. */
  dash?: number[];
  /** Shade the area under the line. */
  fill?: boolean;
  /** The y scale the line uses (default `y`). */
  scale?: string;
  /** How the legend shows a value. */
  value(v: number | null): string;
}

/** One y axis of a chart. */
export interface AxisSpec {
  scale: string;
  /** Tick labels. */
  values(v: number): string;
  /** Fixed tick positions (default: uPlot's). */
  splits?: number[];
  side?: 'left' | 'right';
}

/** What {@link lineChartOptions} builds from. */
export interface LineChartSpec {
  /** Range of each y scale: fixed, or from zero to a little above the data. */
  scales: Record<string, [number, number] | { from0: true; atLeast: number }>;
  axes: AxisSpec[];
  lines: LineSpec[];
}

/** A time chart of lines over one or two y scales, in the dashboard's style. */
export function lineChartOptions(spec: LineChartSpec): ChartOptions {
  const scales: uPlot.Scales = { x: { time: true } };
  for (const [key, range] of Object.entries(spec.scales)) {
    scales[key] = Array.isArray(range)
      ? { range }
      : { range: (_u, _min, max) => [0, Math.max(range.atLeast, max * 1.1)] };
  }
  return {
    scales,
    cursor: { drag: { x: false, y: false } },
    legend: { show: true, live: false },
    axes: [
      { stroke: '#6b7785', grid: GRID, ticks: TICKS, font: AXIS_FONT, space: 60, size: 24 },
      ...spec.axes.map((axis, i): uPlot.Axis => ({
        scale: axis.scale,
        side: axis.side === 'right' ? 1 : 3,
        stroke: '#6b7785',
        grid: i === 0 ? GRID : { show: false },
        ticks: TICKS,
        font: AXIS_FONT,
        size: 38,
        ...(axis.splits ? { splits: () => axis.splits ?? [] } : {}),
        values: (_u, splits) => splits.map(axis.values),
      })),
    ],
    series: [
      {},
      ...spec.lines.map((line): uPlot.Series => ({
        label: line.label,
        scale: line.scale ?? 'y',
        points: { show: false },
        stroke: line.color,
        width: line.width ?? 2,
        ...(line.dash ? { dash: line.dash } : {}),
        ...(line.fill ? { fill: `${line.color}1f` } : {}),
        value: (_u, v) => line.value(v),
      })),
    ],
  };
}

const percent = (v: number | null): string => (v == null ? '–' : `${(v * 100).toFixed(1)}%`);
const rate = (v: number | null): string => formatKbps(v);

/** Chart of P2P share (cumulative as reported, and over each interval), 0–100 %. */
export function shareChartOptions(color: string): ChartOptions {
  return lineChartOptions({
    scales: { y: [0, 1] },
    axes: [{ scale: 'y', splits: [0, 0.25, 0.5, 0.75, 1], values: (v) => `${Math.round(v * 100)}%` }],
    lines: [
      { label: 'cumulative', color, fill: true, value: percent },
      { label: 'last 5 s', color: '#64748b', width: 1, dash: [4, 3], value: percent },
    ],
  });
}

/** Chart of origin egress (reported and measured) against everything delivered, kbit/s. */
export function egressChartOptions(color: string): ChartOptions {
  return lineChartOptions({
    scales: { y: { from0: true, atLeast: 100 } },
    axes: [{ scale: 'y', values: compactKbps }],
    lines: [
      { label: 'delivered', color, fill: true, value: rate },
      { label: 'origin egress', color: '#dc2626', value: rate },
      { label: 'origin measured', color: '#dc2626', width: 1, dash: [4, 3], value: rate },
    ],
  });
}
