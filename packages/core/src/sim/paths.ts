import type { NodeId, StreamId } from '../protocol/index.ts';
import type { TieredPlanner } from '../tree/index.ts';
import type { Sessions } from './traces.ts';
import { endpointRttMs, type SimRelay } from './world.ts';

/** Last-mile RTT of an origin server (ms). */
export const ORIGIN_ACCESS_MS = 2;
/** More hops than this means a broken plan; walks stop there. */
const MAX_HOPS = 256;

/** Where the simulator's nodes are: relays by index (`r<i>`), viewers by session (`v<i>`). */
export interface Placement {
  relays: readonly SimRelay[];
  sessions: Sessions;
}

/** Index of a simulator node id (`r12` → 12, `v7` → 7). */
export function indexOfId(id: NodeId): number {
  return Number(id.slice(1));
}

/**
 * When data can first flow to `nodeId` in every stripe: the latest time any relay above it
 * (feeders of heads fed through stripe 0 included) becomes ready (relays need a while after
 * activation); 0 if all are ready.
 */
export function pathReadyAt(
  planner: TieredPlanner,
  streamId: StreamId,
  readyAt: ReadonlyMap<NodeId, number>,
  nodeId: NodeId,
): number {
  let ready = 0;
  const stripes = planner.stripeCount(streamId);
  for (let stripe = 0; stripe < stripes; stripe++) {
    let at = stripe;
    let p = planner.stripeParent(streamId, at, nodeId);
    for (let hops = 0; p !== null && p !== undefined && hops < MAX_HOPS; hops++) {
      const r = readyAt.get(p);
      if (r !== undefined && r > ready) ready = r;
      [p, at] = upstream(planner, streamId, at, p);
    }
  }
  return ready;
}

/**
 * Where `nodeId`'s data comes from in a stripe: its parent there (`null`: the origin), or, for a
 * head fed through stripe 0, its feeder there (and stripe 0 from then on).
 */
function upstream(
  planner: TieredPlanner,
  streamId: StreamId,
  stripe: number,
  nodeId: NodeId,
): [NodeId | null | undefined, number] {
  const parent = planner.stripeParent(streamId, stripe, nodeId);
  if (parent !== null || stripe === 0) return [parent, stripe];
  const feeder = planner.headFeeder(streamId, nodeId);
  return feeder === undefined ? [null, stripe] : [feeder, 0];
}

/**
 * Sum of hop RTTs from the origin (in region `originRegion`) down to `nodeId` in one stripe (ms),
 * through stripe 0 above a head fed there.
 */
export function pathRttMs(
  planner: TieredPlanner,
  streamId: StreamId,
  stripe: number,
  nodeId: NodeId,
  originRegion: number,
  where: Placement,
): number {
  let total = 0;
  let child = nodeId;
  let at = stripe;
  for (let hops = 0; hops < MAX_HOPS; hops++) {
    const [parent, next] = upstream(planner, streamId, at, child);
    at = next;
    if (parent === undefined) return total;
    const [cr, ca] = locate(child, where);
    const [pr, pa] = parent === null ? [originRegion, ORIGIN_ACCESS_MS] : locate(parent, where);
    total += endpointRttMs(cr, ca, pr, pa);
    if (parent === null) return total;
    child = parent;
  }
  return total;
}

/** RTT between a viewer and the origin, were it to fetch directly (ms). */
export function directRttMs(nodeId: NodeId, originRegion: number, where: Placement): number {
  const [r, a] = locate(nodeId, where);
  return endpointRttMs(r, a, originRegion, ORIGIN_ACCESS_MS);
}

/** Every viewer below `root` in any stripe of `streamId` (`root` excluded). */
export function viewersBelow(planner: TieredPlanner, streamId: StreamId, root: NodeId): Set<NodeId> {
  const out = new Set<NodeId>();
  const stripes = planner.stripeCount(streamId);
  for (let stripe = 0; stripe < stripes; stripe++) {
    const queue = planner.stripeChildren(streamId, stripe, root);
    for (let i = 0; i < queue.length; i++) {
      const id = queue[i] as NodeId;
      if (id.startsWith('v')) out.add(id);
      for (const c of planner.stripeChildren(streamId, stripe, id)) queue.push(c);
    }
  }
  return out;
}

function locate(id: NodeId, where: Placement): [region: number, accessMs: number] {
  const i = indexOfId(id);
  if (id.startsWith('r')) {
    const relay = where.relays[i];
    return [relay?.region ?? 0, relay?.accessMs ?? 0];
  }
  return [where.sessions.region[i] ?? 0, where.sessions.accessMs[i] ?? 0];
}
