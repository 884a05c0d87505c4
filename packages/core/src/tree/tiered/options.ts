import type { Region } from '../../protocol/index.ts';

/** How new viewers are spread over a farm (the relays of one tier and region). */
export type FarmPolicy = 'least-load' | 'round-robin';

/** Tunables of the {@link TieredPlanner}; only `now` is required. */
export interface TieredPlannerOptions {
  /** Time source (ms): warm-up of fresh relays, failed-parent exclusions, consolidation grace. */
  now: () => number;
  /** Uniform random numbers in [0, 1) (seeded, for determinism). Default: a fixed-seed generator. */
  random?: () => number;
  /** Stripes per stream when the stream does not say (each viewer has one parent per stripe). Default 1. */
  stripes?: number;
  /**
   * How viewers are spread over a farm. `least-load`: the least loaded relay (exactly in farms of
   * up to 16, else the least loaded of 6 random probes); `round-robin`: the next one in turn.
   * Default `least-load`.
   */
  farmPolicy?: FarmPolicy;
  /**
   * Load (children's cost ÷ upload) at or above which a node asks to *distribute*. Default 0.8.
   * The planner does not act on it by itself: it is the relay's rule, exposed by
   * {@link TieredPlanner.thresholdState} so relays, coordinator and simulator agree.
   */
  highWater?: number;
  /** Load at or below which an active relay asks to *consolidate*. Default 0.2. */
  lowWater?: number;
  /**
   * Time a freshly activated relay needs before it can serve (connect upstream, fetch a segment),
   * in ms. New viewers prefer warm parents, so relays activated ahead of the load are ready when
   * it comes. Default 2000.
   */
  warmupMs?: number;
  /**
   * A relay is not consolidated away within this long of its activation (ms), unless a quarter of
   * the stream's viewers of then have left meanwhile and the forecast does not expect them back
   * (see `isProtectedAsFresh`). Default 10 000.
   */
  minActiveMs?: number;
  /** How long a child avoids a parent it reported as failed (ms). Default 30 000. */
  failedParentExclusionMs?: number;
  /** A relay is only activated in a stripe if it can take at least this many children there. Default 2. */
  minRelayFanout?: number;
  /**
   * A viewer (tab) may serve as a parent, below the relays, if it can take at least this many
   * children; 0 disables tabs as parents. Default 2.
   */
  minTabFanout?: number;
  /** Extra free viewer slots `provision` keeps, as a share of the expected new viewers. Default 0.1. */
  provisionMargin?: number;
  /**
   * Measured round-trip time between two regions (ms), when known, to rank regions by proximity;
   * unknown pairs rank after known ones, then by name. Default: nothing known.
   */
  regionRttMs?: (a: Region, b: Region) => number | undefined;
}

/** Options with every default filled in. */
export type ResolvedTieredOptions = Required<Omit<TieredPlannerOptions, 'regionRttMs'>> &
  Pick<TieredPlannerOptions, 'regionRttMs'>;

/** A small seeded generator (mulberry32) for deterministic tie-breaks. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Fills in defaults and checks ranges. */
export function resolveOptions(options: TieredPlannerOptions): ResolvedTieredOptions {
  const resolved: ResolvedTieredOptions = {
    now: options.now,
    random: options.random ?? seededRandom(0x5eed),
    stripes: options.stripes ?? 1,
    farmPolicy: options.farmPolicy ?? 'least-load',
    highWater: options.highWater ?? 0.8,
    lowWater: options.lowWater ?? 0.2,
    warmupMs: options.warmupMs ?? 2000,
    minActiveMs: options.minActiveMs ?? 10_000,
    failedParentExclusionMs: options.failedParentExclusionMs ?? 30_000,
    minRelayFanout: options.minRelayFanout ?? 2,
    minTabFanout: options.minTabFanout ?? 2,
    provisionMargin: options.provisionMargin ?? 0.1,
  };
  if (options.regionRttMs) resolved.regionRttMs = options.regionRttMs;
  if (!(Number.isInteger(resolved.stripes) && resolved.stripes >= 1 && resolved.stripes <= 16)) {
    throw new RangeError(`stripes must be an integer from 1 to 16, got ${resolved.stripes}`);
  }
  if (!(resolved.lowWater >= 0 && resolved.lowWater < resolved.highWater && resolved.highWater <= 1)) {
    throw new RangeError('thresholds must satisfy 0 ≤ lowWater < highWater ≤ 1');
  }
  if (!(resolved.minRelayFanout >= 1)) throw new RangeError('minRelayFanout must be at least 1');
  return resolved;
}
