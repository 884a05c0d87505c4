/** Smoothing constants of Holt's linear (double exponential) method. */
export interface HoltOptions {
  /** Level smoothing α in (0, 1]: the weight of the newest observation. Default 0.5. */
  alpha?: number;
  /** Trend smoothing β in [0, 1]: the weight of the newest change of level. Default 0.3. */
  beta?: number;
}

/** Default level smoothing. */
export const DEFAULT_HOLT_ALPHA = 0.5;
/** Default trend smoothing. */
export const DEFAULT_HOLT_BETA = 0.3;

/**
 * Holt's double exponential smoothing of one series observed once per period (for the planner:
 * logons or logoffs of one stream per period). It keeps a level ℓ and a trend b:
 *
 *   ℓₜ = α·xₜ + (1 − α)·(ℓₜ₋₁ + bₜ₋₁)
 *   bₜ = β·(ℓₜ − ℓₜ₋₁) + (1 − β)·bₜ₋₁
 *   x̂ₜ₊ₕ = ℓₜ + h·bₜ
 *
 * Initialisation (the usual ℓ₁ = x₁, b₁ = x₂ − x₁): the first observation sets the level and a
 * zero trend; the second sets the level to itself and the trend to the difference of the two;
 * the recursion runs from the third observation on. Before any observation every forecast is 0.
 */
export class HoltSmoother {
  private levelValue = 0;
  private trendValue = 0;
  private observed = 0;
  readonly alpha: number;
  readonly beta: number;

  constructor(options: HoltOptions = {}) {
    this.alpha = options.alpha ?? DEFAULT_HOLT_ALPHA;
    this.beta = options.beta ?? DEFAULT_HOLT_BETA;
    if (!(this.alpha > 0 && this.alpha <= 1))
      throw new RangeError(`alpha must be in (0, 1], got ${this.alpha}`);
    if (!(this.beta >= 0 && this.beta <= 1)) throw new RangeError(`beta must be in [0, 1], got ${this.beta}`);
  }

  /** Smoothed level after the last observation. */
  get level(): number {
    return this.levelValue;
  }

  /** Smoothed trend (change per period) after the last observation. */
  get trend(): number {
    return this.trendValue;
  }

  /** Number of observations so far. */
  get count(): number {
    return this.observed;
  }

  /** Adds the value of the period that just ended. Non-finite values are refused. */
  observe(x: number): void {
    if (!Number.isFinite(x)) throw new RangeError(`observation must be finite, got ${x}`);
    this.observed++;
    if (this.observed === 1) {
      this.levelValue = x;
      this.trendValue = 0;
      return;
    }
    if (this.observed === 2) {
      this.trendValue = x - this.levelValue;
      this.levelValue = x;
      return;
    }
    const previous = this.levelValue;
    this.levelValue = this.alpha * x + (1 - this.alpha) * (previous + this.trendValue);
    this.trendValue = this.beta * (this.levelValue - previous) + (1 - this.beta) * this.trendValue;
  }

  /** The value expected `h` periods after the last observation (`h = 0`: the level). May be negative. */
  forecast(h: number): number {
    return this.levelValue + h * this.trendValue;
  }
}
