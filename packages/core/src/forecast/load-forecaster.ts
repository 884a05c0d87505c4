import { HoltSmoother, type HoltOptions } from './holt.ts';

/** How a {@link LoadForecaster} cuts time and smooths. */
export interface LoadForecasterOptions extends HoltOptions {
  /** Length of one observation period (ms). Default 1000. */
  periodMs?: number;
  /** The provisioning period, in observation periods: how far ahead to look. Default 3. */
  horizonPeriods?: number;
  /** Start of the first period (ms); default: the time of the first call. */
  startMs?: number;
}

/** What a {@link LoadForecaster} expects over the coming provisioning period. */
export interface LoadForecast {
  /** Viewers expected at the end of the provisioning period. */
  expectedViewers: number;
  /** Most viewers expected at any period boundary within it (at least the current count). */
  peakViewers: number;
  /** Logons expected over the whole provisioning period. */
  expectedJoins: number;
  /** Logoffs expected over the whole provisioning period. */
  expectedLeaves: number;
  /** Smoothed logons per period now (the Holt level, never negative). */
  joinRate: number;
  /** Smoothed logoffs per period now (the Holt level, never negative). */
  leaveRate: number;
}

/** More empty periods than this in one step add nothing (the smoothers have long converged). */
const MAX_CATCH_UP_PERIODS = 512;

/**
 * Per stream: counts logons and logoffs per period, smooths each series with Holt's method and
 * turns the forecast rates into the viewer count expected over the next provisioning period.
 * Pure: every call takes the current time (ms) from the caller.
 */
export class LoadForecaster {
  readonly periodMs: number;
  readonly horizonPeriods: number;
  private readonly joins: HoltSmoother;
  private readonly leaves: HoltSmoother;
  private periodStart: number | undefined;
  private pendingJoins = 0;
  private pendingLeaves = 0;

  constructor(options: LoadForecasterOptions = {}) {
    this.periodMs = options.periodMs ?? 1000;
    this.horizonPeriods = options.horizonPeriods ?? 3;
    if (!(this.periodMs > 0)) throw new RangeError(`periodMs must be positive, got ${this.periodMs}`);
    if (!(Number.isInteger(this.horizonPeriods) && this.horizonPeriods >= 1)) {
      throw new RangeError(`horizonPeriods must be a positive integer, got ${this.horizonPeriods}`);
    }
    this.joins = new HoltSmoother(options);
    this.leaves = new HoltSmoother(options);
    this.periodStart = options.startMs;
  }

  /** Periods closed so far (observations fed to the smoothers). */
  get periodsObserved(): number {
    return this.joins.count;
  }

  /** Counts `count` logons at time `at` (ms). */
  recordJoin(at: number, count = 1): void {
    this.advance(at);
    this.pendingJoins += count;
  }

  /** Counts `count` logoffs at time `at` (ms). */
  recordLeave(at: number, count = 1): void {
    this.advance(at);
    this.pendingLeaves += count;
  }

  /**
   * Closes every period that ended by `now`, feeding its counts (zero for empty periods) to the
   * smoothers. Events recorded with an earlier time than the open period count in the open one.
   */
  advance(now: number): void {
    if (this.periodStart === undefined) {
      this.periodStart = now;
      return;
    }
    let closed = 0;
    while (now >= this.periodStart + this.periodMs) {
      if (closed < MAX_CATCH_UP_PERIODS) {
        this.joins.observe(this.pendingJoins);
        this.leaves.observe(this.pendingLeaves);
      }
      this.pendingJoins = 0;
      this.pendingLeaves = 0;
      closed++;
      if (closed >= MAX_CATCH_UP_PERIODS) {
        // Skip the rest of a long silence in one step.
        const skipped = Math.floor((now - this.periodStart) / this.periodMs);
        this.periodStart += skipped * this.periodMs;
        break;
      }
      this.periodStart += this.periodMs;
    }
  }

  /**
   * Logons and logoffs expected in the period now open (Holt one step ahead, never negative),
   * from the periods closed by `now`.
   */
  nextPeriod(now: number): { joins: number; leaves: number } {
    this.advance(now);
    return { joins: Math.max(0, this.joins.forecast(1)), leaves: Math.max(0, this.leaves.forecast(1)) };
  }

  /** The expected load over the next {@link horizonPeriods} periods, given the viewers now. */
  forecast(currentViewers: number, now: number): LoadForecast {
    this.advance(now);
    let viewers = currentViewers;
    let peak = currentViewers;
    let joins = 0;
    let leaves = 0;
    for (let h = 1; h <= this.horizonPeriods; h++) {
      const j = Math.max(0, this.joins.forecast(h));
      const l = Math.max(0, this.leaves.forecast(h));
      joins += j;
      leaves += l;
      viewers = Math.max(0, viewers + j - l);
      peak = Math.max(peak, viewers);
    }
    return {
      expectedViewers: viewers,
      peakViewers: peak,
      expectedJoins: joins,
      expectedLeaves: leaves,
      joinRate: Math.max(0, this.joins.level),
      leaveRate: Math.max(0, this.leaves.level),
    };
  }
}
