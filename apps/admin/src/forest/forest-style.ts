import type { PlannerSettings, StreamId } from '@p2pcdn/core';
import type { LoadState } from '../graph/graph-node.tsx';
import { streamColor } from '../graph/graph-style.ts';
import type { ForestEdge } from './forest-model.ts';

/** Edge colours by stripe (cycled past eight), distinct from the stream colours' order. */
export const STRIPE_COLORS = [
  '#0ea5e9',
  '#f97316',
  '#a855f7',
  '#22c55e',
  '#e11d48',
  '#eab308',
  '#14b8a6',
  '#6366f1',
] as const;

/** Water marks when the coordinator does not report its planner settings. */
export const DEFAULT_WATER_MARKS = { highWater: 0.85, lowWater: 0.2 } as const;

/** The colour of stripe `stripe`. */
export function stripeColor(stripe: number): string {
  return STRIPE_COLORS[stripe % STRIPE_COLORS.length] ?? STRIPE_COLORS[0];
}

/** Over the high-water mark, under the low-water mark (relays only: idle viewers are fine), or ok. */
export function loadState(
  load: number,
  isRelay: boolean,
  planner: Pick<PlannerSettings, 'highWater' | 'lowWater'> = DEFAULT_WATER_MARKS,
): LoadState {
  if (load > planner.highWater) return 'over';
  if (isRelay && load < planner.lowWater) return 'under';
  return 'ok';
}

/** How edges are coloured: by stripe in one striped stream's forest, by stream otherwise. */
export type EdgeColoring = 'stripe' | 'stream';

/** The colour of `edge` (see {@link EdgeColoring}). */
export function edgeColor(edge: ForestEdge, coloring: EdgeColoring, streamIds: readonly StreamId[]): string {
  return coloring === 'stripe' && edge.stripe !== undefined
    ? stripeColor(edge.stripe)
    : streamColor(edge.streamId, streamIds);
}
