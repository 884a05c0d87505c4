import type { StreamForecast } from '@p2pcdn/core';
import type uPlot from 'uplot';
import { lineChartOptions, type ChartOptions } from '../figures/chart-options.ts';

/**
 * A stream's forecast history as uPlot columns: one x column (seconds) and the series, all of the
 * same length, points in time order with duplicate times dropped (the coordinator sends the whole
 * window every second; a restart may repeat a period).
 */
export interface ForecastSeries {
  /** x, viewers, forecast viewers, active relays. */
  audience: uPlot.AlignedData;
  /** x, logon rate, its forecast, logoff rate, its forecast (per second). */
  rates: uPlot.AlignedData;
}

/** Builds the aligned columns of {@link ForecastSeries} from a stream's forecast points. */
export function forecastSeries(forecast: StreamForecast): ForecastSeries {
  const points = [...forecast.points]
    .sort((a, b) => a.at - b.at)
    .filter((p, i, all) => i === 0 || p.at !== all[i - 1]?.at);
  const t = points.map((p) => p.at / 1000);
  return {
    audience: [
      t,
      points.map((p) => p.viewers),
      points.map((p) => p.forecastViewers),
      points.map((p) => p.activeRelays),
    ],
    rates: [
      t,
      points.map((p) => p.logonRate),
      points.map((p) => p.forecastLogonRate),
      points.map((p) => p.logoffRate),
      points.map((p) => p.forecastLogoffRate),
    ],
  };
}

const count = (v: number | null): string => (v == null ? '–' : v.toFixed(v % 1 === 0 ? 0 : 1));
const perSecond = (v: number | null): string => (v == null ? '–' : `${v.toFixed(2)}/s`);

/** Viewers against the forecast one horizon earlier, with the relays active (right axis). */
export function audienceChartOptions(color: string): ChartOptions {
  return lineChartOptions({
    scales: { y: { from0: true, atLeast: 5 }, relays: { from0: true, atLeast: 5 } },
    axes: [
      { scale: 'y', values: (v) => count(v) },
      { scale: 'relays', values: (v) => count(v), side: 'right' },
    ],
    lines: [
      { label: 'viewers', color, fill: true, value: count },
      { label: 'forecast', color: '#0f172a', width: 1.5, dash: [5, 3], value: count },
      { label: 'active relays', color: '#7c3aed', width: 1.5, scale: 'relays', value: count },
    ],
  });
}

/** Logon and logoff rates against their Holt forecasts. */
export function ratesChartOptions(): ChartOptions {
  return lineChartOptions({
    scales: { y: { from0: true, atLeast: 0.5 } },
    axes: [{ scale: 'y', values: (v) => (v >= 10 ? v.toFixed(0) : v.toFixed(1)) }],
    lines: [
      { label: 'logons', color: '#16a34a', value: perSecond },
      { label: 'logons forecast', color: '#16a34a', width: 1, dash: [4, 3], value: perSecond },
      { label: 'logoffs', color: '#dc2626', value: perSecond },
      { label: 'logoffs forecast', color: '#dc2626', width: 1, dash: [4, 3], value: perSecond },
    ],
  });
}
