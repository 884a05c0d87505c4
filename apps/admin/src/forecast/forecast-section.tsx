import type { AdminSnapshot, PlannerSettings, StreamForecast, StreamInfo } from '@p2pcdn/core';
import { useMemo } from 'react';
import { UplotChart } from '../figures/uplot-chart.tsx';
import { streamColor } from '../graph/graph-style.ts';
import { useAdmin } from '../store/admin-store.ts';
import { audienceChartOptions, forecastSeries, ratesChartOptions } from './forecast-series.ts';

/** Props of {@link ForecastCard}. */
export interface ForecastCardProps {
  stream: StreamInfo;
  forecast: StreamForecast | undefined;
  color: string;
}

/**
 * One stream's audience against the forecaster: viewers vs forecast viewers and active relays,
 * logon and logoff rates vs their Holt forecasts.
 * Test ids: `forecast-<streamId>`, `forecast-empty-<streamId>`.
 */
export function ForecastCard({ stream, forecast, color }: ForecastCardProps) {
  const audienceOptions = useMemo(() => audienceChartOptions(color), [color]);
  const ratesOptions = useMemo(() => ratesChartOptions(), []);
  const series = useMemo(() => (forecast ? forecastSeries(forecast) : null), [forecast]);
  const last = forecast?.points.at(-1);
  return (
    <article className="card" style={{ borderTopColor: color }} data-testid={`forecast-${stream.id}`}>
      <header className="card-head">
        <h3>{stream.id}</h3>
        {forecast && <span className="muted small">period {Math.round(forecast.periodMs / 1000)} s</span>}
      </header>
      {!series || !last ? (
        <p className="empty" data-testid={`forecast-empty-${stream.id}`}>
          No forecast for this stream yet.
        </p>
      ) : (
        <>
          <dl className="figures">
            <div className="figure">
              <dt>Viewers</dt>
              <dd>{last.viewers}</dd>
              <span className="sub">forecast {last.forecastViewers.toFixed(1)}</span>
            </div>
            <div className="figure">
              <dt>Logons</dt>
              <dd>{last.logonRate.toFixed(2)}/s</dd>
              <span className="sub">forecast {last.forecastLogonRate.toFixed(2)}/s</span>
            </div>
            <div className="figure">
              <dt>Logoffs</dt>
              <dd>{last.logoffRate.toFixed(2)}/s</dd>
              <span className="sub">forecast {last.forecastLogoffRate.toFixed(2)}/s</span>
            </div>
            <div className="figure">
              <dt>Active relays</dt>
              <dd>{last.activeRelays}</dd>
            </div>
          </dl>
          <div className="charts">
            <UplotChart
              options={audienceOptions}
              data={series.audience}
              height={140}
              title="Viewers vs forecast · active relays (right)"
            />
            <UplotChart
              options={ratesOptions}
              data={series.rates}
              height={140}
              title="Logons and logoffs per second vs forecast"
            />
          </div>
        </>
      )}
    </article>
  );
}

/** Why there is nothing to show, in the operator's words. */
function emptyReason(planner: PlannerSettings | undefined): string {
  if (planner && !planner.forecast)
    return 'Forecasting is off in the planner settings: relays are activated on thresholds only.';
  return 'The coordinator sends no forecasts (an older coordinator, or the skeleton planner).';
}

/** The "Forecast" section of the latest snapshot. */
export function ForecastSection() {
  const snapshot = useAdmin((s) => s.snapshot);
  return <ForecastPanel snapshot={snapshot} />;
}

/** Props of {@link ForecastPanel}. */
export interface ForecastPanelProps {
  snapshot: AdminSnapshot | null;
}

/** One forecast card per stream, or why there are none. Test id: `forecast-empty`. */
export function ForecastPanel({ snapshot }: ForecastPanelProps) {
  const streams = snapshot?.streams ?? [];
  const ids = streams.map((s) => s.id);
  const forecasts = snapshot?.forecasts;
  return (
    <section id="forecast" className="panel" aria-labelledby="forecast-title">
      <header className="panel-head">
        <h2 id="forecast-title">Forecast vs actual</h2>
        <span className="muted small">Holt smoothing of logons and logoffs, one period ahead</span>
      </header>
      {!snapshot ? (
        <p className="empty">Waiting for the first snapshot…</p>
      ) : forecasts === undefined || (snapshot.planner && !snapshot.planner.forecast) ? (
        <p className="empty" data-testid="forecast-empty">
          {emptyReason(snapshot.planner)}
        </p>
      ) : (
        <div className="cards">
          {streams.map((stream) => (
            <ForecastCard
              key={stream.id}
              stream={stream}
              forecast={forecasts.find((f) => f.streamId === stream.id)}
              color={streamColor(stream.id, ids)}
            />
          ))}
        </div>
      )}
    </section>
  );
}
