import type { NodeId, StreamId } from '../../protocol/index.ts';
import type { StreamTree } from '../stream-tree.ts';
import type { EdgeChange, ParentAssignment, PlanChanges, StreamNodeRef } from '../types.ts';

interface Before {
  streamId: StreamId;
  stripe: number;
  nodeId: NodeId;
  /** Parent before the operation; `undefined` when the node was not in that stripe's tree. */
  parent: NodeId | null | undefined;
}

/**
 * Collects what one operation of the tiered planner touched, per stream, stripe and node, and
 * turns it into {@link PlanChanges}: the final assignment of every node whose parents changed,
 * and the edge changes with every addition before every removal (make before break).
 */
export class StripeRecorder {
  private readonly before = new Map<string, Before>();
  private readonly activated: StreamNodeRef[] = [];
  private readonly released: StreamNodeRef[] = [];

  /** Remembers the parent of `nodeId` in a stripe before the operation first changes it. */
  touch(streamId: StreamId, stripe: number, nodeId: NodeId, tree: StreamTree): void {
    const key = `${streamId}\u0000${stripe}\u0000${nodeId}`;
    if (this.before.has(key)) return;
    const parent = tree.has(nodeId) ? tree.parentOf(nodeId) : undefined;
    this.before.set(key, { streamId, stripe, nodeId, parent });
  }

  activate(streamId: StreamId, nodeId: NodeId): void {
    this.activated.push({ streamId, nodeId });
  }

  release(streamId: StreamId, nodeId: NodeId): void {
    this.released.push({ streamId, nodeId });
  }

  /**
   * The changes, read from `plan` after the operation. Additions are listed top-down (shallowest
   * child first), so a parent is connected before its children are; removals follow.
   */
  finish(plan: RecordedPlan): PlanChanges {
    const adds: EdgeChange[] = [];
    const removes: EdgeChange[] = [];
    let changed: Map<string, StreamNodeRef> | undefined;
    for (const b of this.before.values()) {
      const now = plan.stripeParent(b.streamId, b.stripe, b.nodeId);
      if (now === b.parent) continue;
      if (now !== undefined)
        adds.push({ op: 'add', streamId: b.streamId, stripe: b.stripe, from: now, to: b.nodeId });
      if (b.parent !== undefined) {
        removes.push({ op: 'remove', streamId: b.streamId, stripe: b.stripe, from: b.parent, to: b.nodeId });
      }
      changed ??= new Map();
      changed.set(`${b.streamId}\u0000${b.nodeId}`, { streamId: b.streamId, nodeId: b.nodeId });
    }
    if (adds.length > 1) {
      const depth = new Map<EdgeChange, number>();
      for (const e of adds) depth.set(e, plan.stripeTier(e.streamId, e.stripe, e.to) ?? 0);
      adds.sort((a, b) => (depth.get(a) ?? 0) - (depth.get(b) ?? 0));
    }
    const assignments: ParentAssignment[] = [];
    for (const ref of changed?.values() ?? []) {
      const a = plan.assignment(ref.streamId, ref.nodeId);
      if (a) assignments.push(a);
    }
    const activated: StreamNodeRef[] = [];
    for (const r of dedupe(this.activated))
      if (plan.streamsOf(r.nodeId).includes(r.streamId)) activated.push(r);
    const released: StreamNodeRef[] = [];
    for (const r of dedupe(this.released))
      if (!plan.streamsOf(r.nodeId).includes(r.streamId)) released.push(r);
    return { assignments, activated, released, edges: removes.length > 0 ? [...adds, ...removes] : adds };
  }
}

/** What the recorder reads from the plan once the operation is done. */
export interface RecordedPlan {
  /** Parent of a node in one stripe (`null`: the origin; `undefined`: not in that stripe). */
  stripeParent(streamId: StreamId, stripe: number, nodeId: NodeId): NodeId | null | undefined;
  stripeTier(streamId: StreamId, stripe: number, nodeId: NodeId): number | undefined;
  /** The node's assignment in a stream (`undefined`: not a member). */
  assignment(streamId: StreamId, nodeId: NodeId): ParentAssignment | undefined;
  streamsOf(nodeId: NodeId): StreamId[];
}

function dedupe(refs: StreamNodeRef[]): StreamNodeRef[] {
  if (refs.length < 2) return refs;
  const seen = new Map<string, StreamNodeRef>();
  for (const r of refs) seen.set(`${r.streamId}\u0000${r.nodeId}`, r);
  return [...seen.values()];
}
