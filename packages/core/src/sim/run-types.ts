import type { SimConfig } from './config.ts';

/** Values sampled once per forecast period, for the chart. */
export interface SimSeries {
  /** Simulated time (s). */
  t: number[];
  viewers: number[];
  /** Relays serving at least one stream. */
  relays: number[];
  /** Viewers the forecaster expected over the coming provisioning period (empty when not forecasting). */
  forecast: number[];
}

/** The measurements of one simulation run. */
export interface SimRun {
  config: SimConfig;
  /** Relays at the start (arrivals come on top). */
  relays: number;
  simulatedSeconds: number;
  joins: number;
  leaves: number;
  relayDeaths: number;
  peakViewers: number;
  /**
   * Origin bytes ÷ stream bytes, over the time each stream had viewers (all streams), as the product
   * fetches: a whole copy per relay told `origin: true`, 1/k per stripe a viewer is origin-fed in.
   */
  originCopies: number;
  originCopiesPerStream: Record<string, number>;
  /** The same if viewers waiting for a parent fetched from the origin meanwhile. */
  originCopiesIfWaitersUseHttp: number;
  /** Deepest viewer seen in any sample: hops from the origin, a fed head's feed included. */
  maxDepth: number;
  /** ⌈log_f N⌉ + 1 at the sample with the most viewers. */
  depthBound: number;
  /** Mean fan-out of the forwarding tree at that sample. */
  meanFanout: number;
  /** Whether every stripe of every stream was within its bound in every sample. */
  depthWithinBound: boolean;
  /** Mean of path RTT ÷ direct RTT over sampled viewers. */
  meanStretch: number;
  /** Members moved from one parent to another (per stripe edge). */
  reconfigurations: number;
  activations: number;
  deactivations: number;
  /** Active relays integrated over time (relay-seconds): what the capacity cost. */
  activeRelaySeconds: number;
  distributes: number;
  consolidations: number;
  /** Join placements that had to wait for a relay still warming up. */
  viewersWaited: number;
  /**
   * Of those, the ones who joined before any relay of their stream could be ready (within the
   * activation time of the stream's first viewer): no planner can avoid these.
   */
  coldStartWaited: number;
  /** Their total wait (ms). */
  waitedMs: number;
  /** Time viewers spent without a working parent: waits at join and gaps after relay deaths. */
  viewersWithoutParentMs: { total: number; p99: number; mean: number; affected: number };
  /** Planner CPU per join decision (µs), when a timer was given. */
  plannerP99Micros: number;
  plannerMeanMicros: number;
  plannerMaxMicros: number;
  /** Plan invariant violations at the end (should be empty). */
  violations: string[];
  series: SimSeries;
}
