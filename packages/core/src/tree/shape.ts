import type { NodeId, StreamId } from '../protocol/index.ts';
import type { MemberStripe, PlanView } from './types.ts';

/** The shape of one stripe tree of a stream. */
export interface StripeShape {
  stripe: number;
  /** Viewers in the stripe. */
  viewers: number;
  /** Deepest tier of any viewer (1: fed by the origin). */
  maxDepth: number;
  /**
   * Hops between the origin and the stripe's head when the head is fed through stripe 0 rather
   * than by the origin (its feeder's tier in stripe 0; the most over the stripe's heads; 0 for
   * stripe 0 and origin-fed heads): the data of a viewer at tier t comes t + feedHops hops from
   * the origin.
   */
  feedHops: number;
  /** Members the origin feeds. */
  originChildren: number;
  /** Members with at least one child. */
  interior: number;
  /**
   * Mean number of children of the interior members, counting only children that carry data
   * (viewers and members with children of their own): relays activated ahead of the load that
   * have no child yet are not part of the forwarding tree. 0 when there is no interior member.
   */
  meanFanout: number;
  /**
   * ⌈log_f N⌉ + 1 for the mean fan-out f and N viewers (⌈log_f N⌉ taken as at least 1, since
   * a lone viewer still hangs under a relay); `Infinity` when f ≤ 1.
   */
  depthBound: number;
}

/** Depth, fan-out and origin figures of every stripe of `streamId`. */
export function planShape(view: PlanView, streamId: StreamId): StripeShape[] {
  const count = view.stream(streamId)?.stripes ?? 1;
  const shapes: StripeShape[] = Array.from({ length: count }, (_, stripe) => ({
    stripe,
    viewers: 0,
    maxDepth: 0,
    feedHops: 0,
    originChildren: 0,
    interior: 0,
    meanFanout: 0,
    depthBound: Number.POSITIVE_INFINITY,
  }));
  const parents: Array<Set<NodeId>> = shapes.map(() => new Set());
  const members = view.members(streamId);
  for (const m of members) {
    for (const place of placesOf(m)) {
      const shape = shapes[place.stripe];
      if (!shape) continue;
      if (place.parent === null) {
        shape.originChildren++;
        if (place.stripe > 0 && m.role === 'relay' && view.assignment(streamId, m.id)?.origin === false) {
          const fedAt = placesOf(m).find((p) => p.stripe === 0)?.tier ?? 1;
          shape.feedHops = Math.max(shape.feedHops, fedAt - 1);
        }
      } else parents[place.stripe]?.add(place.parent);
      if (m.watching) {
        shape.viewers++;
        shape.maxDepth = Math.max(shape.maxDepth, place.tier);
      }
    }
  }
  const edges = shapes.map(() => 0);
  for (const m of members) {
    for (const place of placesOf(m)) {
      const carries = m.watching || parents[place.stripe]?.has(m.id);
      if (place.parent !== null && carries) edges[place.stripe] = (edges[place.stripe] ?? 0) + 1;
    }
  }
  for (const shape of shapes) {
    shape.interior = parents[shape.stripe]?.size ?? 0;
    const carried = edges[shape.stripe] ?? 0;
    shape.meanFanout = shape.interior > 0 ? carried / shape.interior : 0;
    shape.depthBound = depthBound(shape.meanFanout, shape.viewers);
  }
  return shapes;
}

/** ⌈log_f N⌉ + 1 (with ⌈log_f N⌉ ≥ 1); `Infinity` when f ≤ 1. */
export function depthBound(meanFanout: number, viewers: number): number {
  if (!(meanFanout > 1)) return Number.POSITIVE_INFINITY;
  const levels = Math.ceil(Math.log(Math.max(viewers, 1)) / Math.log(meanFanout) - 1e-9);
  return Math.max(levels, 1) + 1;
}

/** Nodes with children in more than one stripe of `streamId` (SplitStream wants none). */
export function sharedInteriors(view: PlanView, streamId: StreamId): NodeId[] {
  const stripesOf = new Map<NodeId, Set<number>>();
  for (const m of view.members(streamId)) {
    for (const place of placesOf(m)) {
      if (place.parent === null) continue;
      let set = stripesOf.get(place.parent);
      if (!set) stripesOf.set(place.parent, (set = new Set()));
      set.add(place.stripe);
    }
  }
  return [...stripesOf].filter(([, s]) => s.size > 1).map(([id]) => id);
}

function placesOf(m: { parent: NodeId | null; tier: number; stripes?: MemberStripe[] }): MemberStripe[] {
  return m.stripes ?? [{ stripe: 0, parent: m.parent, tier: m.tier }];
}
