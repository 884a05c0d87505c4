/** The `q` quantile (0..1) of `values` by the nearest-rank method; 0 for no values. Sorts in place. */
export function quantile(values: Float64Array | number[], q: number): number {
  const n = values.length;
  if (n === 0) return 0;
  const sorted = values instanceof Float64Array ? values.sort() : values.sort((a, b) => a - b);
  const rank = Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
  return sorted[rank] ?? 0;
}

/** A growable array of doubles (for per-decision timings). */
export class Samples {
  private data = new Float64Array(1024);
  private n = 0;

  get length(): number {
    return this.n;
  }

  push(x: number): void {
    if (this.n === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.n++] = x;
  }

  /** A copy of the values (safe to sort). */
  values(): Float64Array {
    return this.data.slice(0, this.n);
  }

  mean(): number {
    let sum = 0;
    for (let i = 0; i < this.n; i++) sum += this.data[i] ?? 0;
    return this.n > 0 ? sum / this.n : 0;
  }

  max(): number {
    let m = 0;
    for (let i = 0; i < this.n; i++) m = Math.max(m, this.data[i] ?? 0);
    return m;
  }
}

/** Rounds to `digits` decimals (for reports). */
export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
