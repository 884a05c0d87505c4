import type { NodeId } from '../protocol/index.ts';
import type { PlanView } from './types.ts';

/**
 * Checks the properties every plan must have, whatever the planner: each node's children cost
 * no more than its upload, every member's parent chain reaches the origin without a cycle,
 * tiers follow parents, relays never hang under viewers, and every viewer watching a stream is
 * in its tree. Returns one sentence per violation (empty when the plan is sound).
 */
export function planViolations(view: PlanView): string[] {
  const problems: string[] = [];
  const nodeIds = new Set<NodeId>();
  for (const streamId of view.streamIds()) {
    const stream = view.stream(streamId);
    const members = view.members(streamId);
    const byId = new Map(members.map((m) => [m.id, m]));
    let watching = 0;
    for (const m of members) {
      nodeIds.add(m.id);
      if (m.watching) watching++;
      if (m.watching && m.role !== 'viewer') problems.push(`${streamId}: relay ${m.id} marked as watching`);
      // Walk up to the origin; more steps than members means a cycle.
      let current = m;
      let steps = 0;
      while (current.parent !== null && steps <= members.length) {
        const parent = byId.get(current.parent);
        if (!parent) {
          problems.push(`${streamId}: ${current.id} has parent ${current.parent} outside the tree`);
          break;
        }
        current = parent;
        steps++;
      }
      if (steps > members.length) problems.push(`${streamId}: ${m.id} is on a cycle`);
      if (m.parent === null ? m.tier !== 1 : m.tier !== (byId.get(m.parent)?.tier ?? -1) + 1) {
        problems.push(`${streamId}: ${m.id} has tier ${m.tier} inconsistent with its parent`);
      }
      if (m.role === 'relay' && m.parent !== null && byId.get(m.parent)?.role !== 'relay') {
        problems.push(`${streamId}: relay ${m.id} hangs under viewer ${m.parent}`);
      }
      if (!view.node(m.id)) problems.push(`${streamId}: member ${m.id} is not a known node`);
    }
    if (watching !== view.viewerCount(streamId)) {
      problems.push(
        `${streamId}: ${watching} watching members but viewerCount ${view.viewerCount(streamId)}`,
      );
    }
    if (watching === 0 && members.length > 0) {
      problems.push(`${streamId}: ${members.length} members serve a stream nobody watches`);
    }
    if (!stream) problems.push(`${streamId}: listed but unknown`);
  }
  for (const id of nodeIds) {
    const node = view.node(id);
    if (node && view.loadKbps(id) > node.uploadKbps) {
      problems.push(`${id}: children cost ${view.loadKbps(id)} kbit/s > upload ${node.uploadKbps} kbit/s`);
    }
  }
  return problems;
}
