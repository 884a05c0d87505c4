import type { Rng } from './rng.ts';

/** A region of the simulated internet. */
export interface SimRegion {
  name: string;
  /** Share of viewers and relays located there. */
  weight: number;
}

/** Six regions, weighted roughly like a global audience. */
export const SIM_REGIONS: readonly SimRegion[] = [
  { name: 'us-east', weight: 0.25 },
  { name: 'us-west', weight: 0.15 },
  { name: 'eu-west', weight: 0.22 },
  { name: 'eu-central', weight: 0.13 },
  { name: 'ap-south', weight: 0.1 },
  { name: 'ap-northeast', weight: 0.15 },
];

/** Round-trip times between the regions' backbones (ms), in {@link SIM_REGIONS} order. */
export const SIM_RTT_MS: readonly (readonly number[])[] = [
  [8, 65, 75, 90, 200, 160],
  [65, 8, 140, 150, 220, 110],
  [75, 140, 8, 20, 130, 230],
  [90, 150, 20, 8, 120, 220],
  [200, 220, 130, 120, 10, 120],
  [160, 110, 230, 220, 120, 8],
];

const regionIndex = new Map(SIM_REGIONS.map((r, i) => [r.name, i]));

/** Backbone RTT between two regions (ms); unknown regions are far. */
export function regionRttMs(a: string, b: string): number | undefined {
  const i = regionIndex.get(a);
  const j = regionIndex.get(b);
  return i === undefined || j === undefined ? undefined : SIM_RTT_MS[i]?.[j];
}

/** Relay upload classes (kbit/s) and their shares. */
export const RELAY_UPLOADS_KBPS: readonly number[] = [50_000, 100_000, 200_000, 400_000];
export const RELAY_UPLOAD_SHARES: readonly number[] = [0.3, 0.35, 0.25, 0.1];

/** Mean relay upload (kbit/s). */
export const MEAN_RELAY_UPLOAD_KBPS = RELAY_UPLOADS_KBPS.reduce(
  (sum, u, i) => sum + u * (RELAY_UPLOAD_SHARES[i] ?? 0),
  0,
);

/** A relay of the simulated world. */
export interface SimRelay {
  id: string;
  region: number;
  uploadKbps: number;
  /** Last-mile RTT contribution (ms). */
  accessMs: number;
}

/** Draws `count` relays, spread over regions by weight. */
export function makeRelays(rng: Rng, count: number, firstIndex = 0): SimRelay[] {
  const weights = SIM_REGIONS.map((r) => r.weight);
  return Array.from({ length: count }, (_, i) => ({
    id: `r${firstIndex + i}`,
    region: rng.weighted(weights),
    uploadKbps: RELAY_UPLOADS_KBPS[rng.weighted(RELAY_UPLOAD_SHARES)] ?? 100_000,
    accessMs: rng.uniform(1, 5),
  }));
}

/** RTT between two endpoints: the backbone plus both last miles (ms). */
export function endpointRttMs(regionA: number, accessA: number, regionB: number, accessB: number): number {
  return (SIM_RTT_MS[regionA]?.[regionB] ?? 250) + accessA + accessB;
}
