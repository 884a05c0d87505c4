import type { FarmPolicy } from '../tree/index.ts';
import type { TraceKind } from './traces.ts';
import { MEAN_RELAY_UPLOAD_KBPS, SIM_REGIONS } from './world.ts';

/** One simulation run. */
export interface SimConfig {
  /** Scale: logons of a flash crowd, peak of a diurnal trace, steady population under churn. */
  viewers: number;
  trace: TraceKind;
  seed: number;
  /** Streams, popularity 1/rank; stream i's origin sits in a different region each. */
  streams: number;
  /** Stripes per stream (each viewer has one parent per stripe). */
  stripes: number;
  bitrateKbps: number;
  /** Relays at the start; 0: enough for `relayHeadroom` × the peak demand. */
  relays: number;
  relayHeadroom: number;
  /** Provision ahead of Holt's forecast (true) or react to thresholds only (false). */
  forecasting: boolean;
  /** Forecast period (also the coordinator's tick: provisioning and threshold checks), ms. */
  periodMs: number;
  /** Provisioning period, in forecast periods. */
  horizonPeriods: number;
  alpha: number;
  beta: number;
  /** How long an activated relay needs to start serving (connect upstream, first segment), ms. */
  activationMs: number;
  /** How long until a dead relay is noticed (children's reports), ms. */
  detectMs: number;
  /** Relay → coordinator message delay (a distribute request), ms. */
  messageDelayMs: number;
  farmPolicy: FarmPolicy;
  highWater: number;
  lowWater: number;
  minActiveMs: number;
  /** Share of tabs that offer upload, and how much (kbit/s). */
  capableShare: number;
  capableUploadKbps: number;
  /**
   * Tree shape and stretch are sampled this often (ms); 0: 16 samples over the trace; -1: none
   * (and no plan check at the end).
   */
  sampleEveryMs: number;
  /** Viewers whose path RTT is measured per sample. */
  stretchSamples: number;
  /** Check every plan invariant at the end (`planViolations`). */
  checkPlan: boolean;
}

/** Defaults: 2.5 Mbit/s streams, 2 streams, one stripe, relays 1.5× the peak demand. */
export const DEFAULT_SIM_CONFIG: SimConfig = {
  viewers: 10_000,
  trace: 'flash-crowd',
  seed: 1,
  streams: 2,
  stripes: 1,
  bitrateKbps: 2500,
  relays: 0,
  relayHeadroom: 1.5,
  forecasting: true,
  periodMs: 1000,
  horizonPeriods: 3,
  alpha: 0.5,
  beta: 0.3,
  activationMs: 2000,
  detectMs: 2000,
  messageDelayMs: 50,
  farmPolicy: 'least-load',
  highWater: 0.8,
  lowWater: 0.2,
  minActiveMs: 20_000,
  capableShare: 0.2,
  capableUploadKbps: 5000,
  sampleEveryMs: 0,
  stretchSamples: 500,
  checkPlan: true,
};

/** Relays needed for `relayHeadroom` × the peak demand, at least two per region and stream. */
export function relaysFor(config: SimConfig): number {
  const demandKbps = config.viewers * config.bitrateKbps;
  const byDemand = Math.ceil((config.relayHeadroom * demandKbps) / MEAN_RELAY_UPLOAD_KBPS);
  return Math.max(byDemand, 2 * SIM_REGIONS.length * config.streams);
}

/** Region index of stream `i`'s origin. */
export function originRegion(i: number): number {
  const order = [0, 2, 5, 1, 3, 4];
  return order[i % order.length] ?? 0;
}
