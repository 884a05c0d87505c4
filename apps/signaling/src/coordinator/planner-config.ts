import {
  SkeletonPlanner,
  TieredPlanner,
  type FarmPolicy,
  type PlannerSettings,
  type TreePlanner,
} from '@p2pcdn/core';

/** Which planner the coordinator runs and how (the operator's `--planner…` flags). */
export interface PlannerConfig {
  /** `tiered` (the default: tiers, farms, grow and shrink, forecasts) or the first `skeleton` planner. */
  kind: 'tiered' | 'skeleton';
  /** Load (children's cost ÷ upload) at or above which a node asks to distribute. */
  highWater: number;
  /** Load at or below which an active relay asks to consolidate. */
  lowWater: number;
  /** How new viewers are spread over a farm of relays. */
  farmPolicy: FarmPolicy;
  /** Time a freshly activated relay needs before it takes viewers first (ms). */
  warmupMs: number;
  /** A relay is not consolidated away within this long of its activation (ms). */
  minActiveMs: number;
  /** Whether relays are provisioned ahead of the forecast load. */
  forecast: boolean;
  /** Length of one forecast period (ms): logons and logoffs are counted per period. */
  forecastPeriodMs: number;
  /** How many periods ahead the coordinator provisions. */
  forecastHorizon: number;
  /**
   * Stripes every stream is cut into (1-16; tiered planner only): each viewer gets one parent per
   * stripe and each parent carries `bitrate / stripes` per child.
   */
  stripes: number;
}

/** What the coordinator runs when nothing is configured. */
export const DEFAULT_PLANNER_CONFIG: PlannerConfig = {
  kind: 'tiered',
  highWater: 0.8,
  lowWater: 0.2,
  farmPolicy: 'least-load',
  warmupMs: 2000,
  minActiveMs: 10_000,
  forecast: true,
  forecastPeriodMs: 5000,
  forecastHorizon: 3,
  stripes: 1,
};

/** The planner `config` describes, on the coordinator's clock. */
export function createPlanner(
  config: PlannerConfig,
  now: () => number,
  failedParentExclusionMs: number,
): TreePlanner {
  if (config.kind === 'skeleton') return new SkeletonPlanner({ now, failedParentExclusionMs });
  return new TieredPlanner({
    now,
    highWater: config.highWater,
    lowWater: config.lowWater,
    farmPolicy: config.farmPolicy,
    warmupMs: config.warmupMs,
    minActiveMs: config.minActiveMs,
    stripes: config.stripes,
    failedParentExclusionMs,
  });
}

/** The settings as the admin dashboard shows them. */
export function plannerSettings(config: PlannerConfig): PlannerSettings {
  return {
    planner: config.kind,
    highWater: config.highWater,
    lowWater: config.lowWater,
    farmPolicy: config.farmPolicy,
    stripes: config.kind === 'tiered' ? config.stripes : 1,
    forecast: config.kind === 'tiered' && config.forecast,
  };
}
