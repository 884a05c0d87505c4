import type { NodeId, StreamId } from '../protocol/index.ts';
import type { MemberStripe, PlanMember, PlanView } from './types.ts';

/** Slack for floating-point sums of per-stripe costs. */
const LOAD_EPSILON_KBPS = 1e-6;

/**
 * Checks the properties every plan must have, whatever the planner: each node's children cost
 * no more than its upload, every member's parent chain reaches the origin without a cycle (in
 * every stripe, for striped plans), tiers follow parents, relays never hang under viewers, every
 * viewer watching a stream is in its tree (in every stripe). Returns one sentence per violation
 * (empty when the plan is sound).
 */
export function planViolations(view: PlanView): string[] {
  const problems: string[] = [];
  const nodeIds = new Set<NodeId>();
  for (const streamId of view.streamIds()) {
    const stream = view.stream(streamId);
    if (!stream) problems.push(`${streamId}: listed but unknown`);
    const stripeCount = stream?.stripes ?? 1;
    const members = view.members(streamId);
    const roles = new Map<NodeId, PlanMember['role']>();
    const byStripe: Array<Map<NodeId, MemberStripe>> = [];
    let watching = 0;
    for (const m of members) {
      nodeIds.add(m.id);
      roles.set(m.id, m.role);
      if (m.watching) watching++;
      if (m.watching && m.role !== 'viewer') problems.push(`${streamId}: relay ${m.id} marked as watching`);
      if (!view.node(m.id)) problems.push(`${streamId}: member ${m.id} is not a known node`);
      const places = placesOf(m);
      if (m.watching && places.length !== stripeCount) {
        problems.push(`${streamId}: viewer ${m.id} is in ${places.length} of ${stripeCount} stripes`);
      }
      for (const place of places) {
        if (place.stripe < 0 || place.stripe >= stripeCount) {
          problems.push(`${streamId}: ${m.id} is in stripe ${place.stripe} of ${stripeCount}`);
          continue;
        }
        let map = byStripe[place.stripe];
        if (!map) byStripe[place.stripe] = map = new Map();
        map.set(m.id, place);
      }
    }
    for (const [stripe, byId] of byStripe.entries()) {
      if (byId) checkStripe(streamId, stripeCount > 1 ? stripe : undefined, byId, roles, problems);
    }
    if (watching !== view.viewerCount(streamId)) {
      problems.push(
        `${streamId}: ${watching} watching members but viewerCount ${view.viewerCount(streamId)}`,
      );
    }
    if (watching === 0 && members.length > 0) {
      problems.push(`${streamId}: ${members.length} members serve a stream nobody watches`);
    }
  }
  for (const id of nodeIds) {
    const node = view.node(id);
    if (node && view.loadKbps(id) > node.uploadKbps + LOAD_EPSILON_KBPS) {
      problems.push(`${id}: children cost ${view.loadKbps(id)} kbit/s > upload ${node.uploadKbps} kbit/s`);
    }
  }
  return problems;
}

function placesOf(m: PlanMember): MemberStripe[] {
  return m.stripes ?? [{ stripe: 0, parent: m.parent, tier: m.tier }];
}

/** Parent chains, tiers and roles within one stripe (`stripe` undefined: an unstriped plan). */
function checkStripe(
  streamId: StreamId,
  stripe: number | undefined,
  byId: Map<NodeId, MemberStripe>,
  roles: Map<NodeId, PlanMember['role']>,
  problems: string[],
): void {
  const where = stripe === undefined ? streamId : `${streamId}/${stripe}`;
  for (const [id, place] of byId) {
    // Walk up to the origin; more steps than members means a cycle.
    let currentId = id;
    let current = place;
    let steps = 0;
    while (current.parent !== null && steps <= byId.size) {
      const parent = byId.get(current.parent);
      if (!parent) {
        problems.push(`${where}: ${currentId} has parent ${current.parent} outside the tree`);
        break;
      }
      currentId = current.parent;
      current = parent;
      steps++;
    }
    if (steps > byId.size) problems.push(`${where}: ${id} is on a cycle`);
    const { parent, tier } = place;
    if (parent === null ? tier !== 1 : tier !== (byId.get(parent)?.tier ?? -1) + 1) {
      problems.push(`${where}: ${id} has tier ${tier} inconsistent with its parent`);
    }
    if (roles.get(id) === 'relay' && parent !== null && roles.get(parent) !== 'relay') {
      problems.push(`${where}: relay ${id} hangs under viewer ${parent}`);
    }
  }
}
