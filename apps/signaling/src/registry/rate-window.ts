/** A rate measured over a sliding window. */
export interface WindowRate {
  bytesPerSecond: number;
  /** Time the measurement covers (ms): the window, or less while the node is new. */
  spanMs: number;
}

interface Sample {
  at: number;
  /** Bytes counted from the first sample up to `at`. */
  total: number;
}

/**
 * Bytes per second over the most recent `windowMs`, from the bytes each heartbeat adds. Rates
 * over a single heartbeat swing with every burst; a window of several heartbeats says what a
 * node sustains. The first sample only starts the clock (its bytes were sent over an unknown
 * time), and spans shorter than `minSpanMs` are not a measurement (a node flooding heartbeats
 * must not get a rate from two of them a millisecond apart).
 */
export class RateWindow {
  private readonly samples: Sample[] = [];

  constructor(
    readonly windowMs: number,
    private readonly minSpanMs = 1000,
    private readonly maxSamples = 64,
  ) {
    if (!(windowMs > 0 && minSpanMs >= 0 && minSpanMs <= windowMs && maxSamples >= 2)) {
      throw new RangeError('RateWindow needs windowMs > 0, 0 ≤ minSpanMs ≤ windowMs and maxSamples ≥ 2');
    }
  }

  /** Counts `bytes` sent up to time `at`. Samples from the past are ignored. */
  add(at: number, bytes: number): void {
    const last = this.samples.at(-1);
    if (!last) {
      this.samples.push({ at, total: 0 });
      return;
    }
    if (at < last.at) return;
    const add = Number.isFinite(bytes) && bytes > 0 ? bytes : 0;
    if (at === last.at) {
      last.total += add;
      return;
    }
    this.samples.push({ at, total: last.total + add });
    this.prune();
  }

  /** The rate over the window ending at the latest sample, or undefined before there is one. */
  rate(): WindowRate | undefined {
    const last = this.samples.at(-1);
    const base = this.samples[0];
    if (!last || !base) return undefined;
    const spanMs = last.at - base.at;
    if (spanMs < this.minSpanMs || spanMs <= 0) return undefined;
    return { bytesPerSecond: ((last.total - base.total) * 1000) / spanMs, spanMs };
  }

  /** Keeps, as the baseline, the newest sample at least a window before the latest. */
  private prune(): void {
    const last = this.samples.at(-1);
    if (!last) return;
    const start = last.at - this.windowMs;
    let drop = 0;
    while (drop + 1 < this.samples.length && (this.samples[drop + 1]?.at ?? Infinity) <= start) drop++;
    drop = Math.max(drop, this.samples.length - this.maxSamples);
    if (drop > 0) this.samples.splice(0, drop);
  }
}
