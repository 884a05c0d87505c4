import {
  LoadForecaster,
  type ForecastPoint,
  type StreamForecast,
  type StreamId,
  type TimerHandle,
} from '@p2pcdn/core';
import createDebug from 'debug';
import type { Coordinator } from './coordinator.ts';

const debug = createDebug('p2pcdn:signaling:forecasts');

/** Forecast points kept per stream (the admin chart's history). */
export const FORECAST_HISTORY = 240;

interface StreamForecastState {
  forecaster: LoadForecaster;
  /** Logons and logoffs in the open period (the forecaster keeps its own copy). */
  joins: number;
  leaves: number;
  /** Viewers expected at the end of each of the last `horizon` periods, oldest first. */
  expected: number[];
  /** Logons and logoffs expected in the open period, forecast when it opened. */
  next: { joins: number; leaves: number };
  points: ForecastPoint[];
}

/**
 * The audience forecast of every stream (claims 9, 21–23): logons and logoffs are counted per
 * period on the coordinator's clock and smoothed with Holt's method ({@link LoadForecaster}); at
 * the end of each period the coordinator provisions relays for the viewers expected over the
 * next `horizon` periods (tiered planner, forecasting on) and records the forecast next to what
 * happened, for the admin chart.
 */
export class Forecasts {
  private readonly streams = new Map<StreamId, StreamForecastState>();
  private timer: TimerHandle | undefined;

  constructor(private readonly c: Coordinator) {}

  private get periodMs(): number {
    return this.c.settings.planner.forecastPeriodMs;
  }

  private get horizon(): number {
    return this.c.settings.planner.forecastHorizon;
  }

  /** Whether the coordinator provisions ahead of the forecast. */
  get provisioning(): boolean {
    return this.c.settings.planner.forecast && this.c.tiered !== undefined;
  }

  add(streamId: StreamId): void {
    this.streams.set(streamId, {
      forecaster: new LoadForecaster({
        periodMs: this.periodMs,
        horizonPeriods: this.horizon,
        startMs: this.c.clock.now(),
      }),
      joins: 0,
      leaves: 0,
      expected: [],
      next: { joins: 0, leaves: 0 },
      points: [],
    });
  }

  drop(streamId: StreamId): void {
    this.streams.delete(streamId);
  }

  recordJoin(streamId: StreamId): void {
    const st = this.streams.get(streamId);
    if (!st) return;
    st.forecaster.recordJoin(this.c.clock.now());
    st.joins++;
  }

  recordLeave(streamId: StreamId): void {
    const st = this.streams.get(streamId);
    if (!st) return;
    st.forecaster.recordLeave(this.c.clock.now());
    st.leaves++;
  }

  /** Ends a period every `forecastPeriodMs`. */
  start(): void {
    if (this.timer !== undefined) return;
    const tick = (): void => {
      this.timer = this.c.clock.setTimeout(tick, this.periodMs);
      this.tick();
    };
    this.timer = this.c.clock.setTimeout(tick, this.periodMs);
  }

  stop(): void {
    this.c.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Closes the period of every stream: records a point, then provisions for the next ones. */
  tick(): void {
    const now = this.c.clock.now();
    const periodSec = this.periodMs / 1000;
    for (const [streamId, st] of this.streams) {
      const viewers = this.c.planner.viewerCount(streamId);
      const forecast = st.forecaster.forecast(viewers, now);
      // The prediction made `horizon` periods ago for this moment, once there is one.
      const due = st.expected.length >= this.horizon ? st.expected.shift() : undefined;
      st.expected.push(forecast.expectedViewers);
      if (due !== undefined) {
        st.points.push({
          at: Math.max(0, Math.round(now)),
          viewers,
          forecastViewers: round2(due),
          logonRate: round2(st.joins / periodSec),
          logoffRate: round2(st.leaves / periodSec),
          forecastLogonRate: round2(st.next.joins / periodSec),
          forecastLogoffRate: round2(st.next.leaves / periodSec),
          activeRelays: this.activeRelays(streamId),
        });
        if (st.points.length > FORECAST_HISTORY) st.points.splice(0, st.points.length - FORECAST_HISTORY);
      }
      st.joins = 0;
      st.leaves = 0;
      st.next = st.forecaster.nextPeriod(now);
      if (this.provisioning && viewers > 0) this.provision(streamId, forecast.peakViewers, viewers);
    }
  }

  /** Forecast history of every stream, for the admin snapshot. */
  snapshot(): StreamForecast[] {
    return [...this.streams].map(([streamId, st]) => ({
      streamId,
      periodMs: this.periodMs,
      points: [...st.points],
    }));
  }

  private provision(streamId: StreamId, expected: number, viewers: number): void {
    const planner = this.c.tiered;
    if (!planner) return;
    const changes = planner.provision(streamId, expected);
    const activated = changes.activated.length;
    const released = changes.released.length;
    if (activated === 0 && released === 0) return;
    const cause = `forecast of ${Math.round(expected)} viewers (now ${viewers})`;
    debug('%s: %s: %d activated, %d released', streamId, cause, activated, released);
    this.c.events.add({
      kind: 'provision',
      streamId,
      message: `${streamId}: ${cause} over the next ${this.horizon} periods: ${activated} relay(s) activated, ${released} released`,
    });
    this.c.apply(changes, cause);
  }

  private activeRelays(streamId: StreamId): number {
    if (this.c.tiered) return this.c.tiered.activeRelays(streamId).length;
    return this.c.planner.members(streamId).filter((m) => m.role === 'relay').length;
  }
}

function round2(x: number): number {
  return Math.round(Math.max(0, x) * 100) / 100;
}
