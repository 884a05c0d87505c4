import { type ChartSpec, renderChart } from './chart-svg.ts';
import { round } from './metrics.ts';
import type { SimRun } from './run-types.ts';

/** Waits for relay activation in one run, and what its relays cost. */
export interface WaitFigures {
  viewersWaited: number;
  /** Unavoidable: joined before any relay of the stream could be ready. */
  coldStart: number;
  waitedMs: number;
  activations: number;
  deactivations: number;
  activeRelaySeconds: number;
  reconfigurations: number;
}

/** A goal of docs/BENCHMARKS.md and whether the run met it. */
export interface GoalCheck {
  target: string;
  measured: number | boolean;
  met: boolean;
}

/** What `npm run sim -- --json` prints: the forecasting run, compared with threshold-only. */
export type SimReport = Omit<
  SimRun,
  'config' | 'series' | 'coldStartWaited' | 'viewersWaited' | 'waitedMs'
> & {
  trace: string;
  viewers: number;
  streams: number;
  stripes: number;
  bitrateKbps: number;
  seed: number;
  forecastVsReactive: {
    forecast: WaitFigures;
    reactive: WaitFigures;
    /** 1 − forecast ÷ reactive viewers who waited. */
    reduction: number;
    /** The same, leaving out the cold start both runs share. */
    reductionAfterColdStart: number;
  };
  goals: {
    originCopies: GoalCheck;
    maxDepth: GoalCheck;
    plannerP99Micros: GoalCheck;
    forecastHalvesWaits: GoalCheck;
  };
};

const waits = (run: SimRun): WaitFigures => ({
  viewersWaited: run.viewersWaited,
  coldStart: run.coldStartWaited,
  waitedMs: run.waitedMs,
  activations: run.activations,
  deactivations: run.deactivations,
  activeRelaySeconds: Math.round(run.activeRelaySeconds),
  reconfigurations: run.reconfigurations,
});

const reduction = (a: number, b: number): number => (b > 0 ? round(1 - a / b) : 0);

/** The report of a forecasting run and a threshold-only run of the same trace. */
export function simReport(forecast: SimRun, reactive: SimRun): SimReport {
  const { config, series: _series, coldStartWaited: _c, viewersWaited: _v, waitedMs: _w, ...rest } = forecast;
  const worstStream = Math.max(0, ...Object.values(forecast.originCopiesPerStream));
  const f = waits(forecast);
  const r = waits(reactive);
  const cut = reduction(f.viewersWaited, r.viewersWaited);
  return {
    trace: config.trace,
    viewers: config.viewers,
    streams: config.streams,
    stripes: config.stripes,
    bitrateKbps: config.bitrateKbps,
    seed: config.seed,
    ...rest,
    forecastVsReactive: {
      forecast: f,
      reactive: r,
      reduction: cut,
      reductionAfterColdStart: reduction(f.viewersWaited - f.coldStart, r.viewersWaited - r.coldStart),
    },
    goals: {
      originCopies: { target: '≤ 1.05 per stream', measured: worstStream, met: worstStream <= 1.05 },
      maxDepth: {
        target: '≤ ⌈log_f N⌉ + 1 in every sample',
        measured: forecast.maxDepth,
        met: forecast.depthWithinBound,
      },
      plannerP99Micros: {
        target: '≤ 1000 µs',
        measured: forecast.plannerP99Micros,
        met: forecast.plannerP99Micros <= 1000,
      },
      forecastHalvesWaits: { target: 'reduction ≥ 0.5', measured: cut, met: cut >= 0.5 },
    },
  };
}

/** Viewers, forecast and active relays (with forecasting and threshold-only) over time, as SVG. */
export function simChart(forecast: SimRun, reactive: SimRun): string {
  const c = forecast.config;
  const spec: ChartSpec = {
    title: `Simulated ${c.trace}: ${c.viewers.toLocaleString('en-US')} viewers, ${c.streams} streams, ${c.stripes} stripe(s)`,
    subtitle: `originCopies ${forecast.originCopies}, maxDepth ${forecast.maxDepth}, viewers who waited for a relay: ${forecast.viewersWaited} with Holt forecasting vs ${reactive.viewersWaited} threshold-only`,
    x: forecast.series.t,
    xLabel: 'simulated time (s)',
    leftLabel: 'viewers',
    rightLabel: 'active relays',
    series: [
      { label: 'viewers', color: '#1f77b4', axis: 'left', values: forecast.series.viewers },
      { label: 'forecast', color: '#ff7f0e', axis: 'left', values: forecast.series.forecast, dashed: true },
      { label: 'relays (forecast)', color: '#2ca02c', axis: 'right', values: forecast.series.relays },
      {
        label: 'relays (threshold-only)',
        color: '#d62728',
        axis: 'right',
        values: reactive.series.relays,
        dashed: true,
      },
    ],
  };
  return renderChart(spec);
}
