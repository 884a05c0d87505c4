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
   * The changes, given each stripe's parent and tier of a node now (`undefined`: not in it) and
   * each node's assignment now (`undefined`: not a member of the stream). Additions are listed
   * top-down (shallowest child first), so a parent is connected before its children are.
   */
  finish(
    parentNow: (streamId: StreamId, stripe: number, nodeId: NodeId) => NodeId | null | undefined,
    tierNow: (streamId: StreamId, stripe: number, nodeId: NodeId) => number | undefined,
    assignmentOf: (streamId: StreamId, nodeId: NodeId) => ParentAssignment | undefined,
  ): PlanChanges {
    const adds: EdgeChange[] = [];
    const removes: EdgeChange[] = [];
    const changedNodes = new Map<string, StreamNodeRef>();
    for (const b of this.before.values()) {
      const now = parentNow(b.streamId, b.stripe, b.nodeId);
      if (now === b.parent) continue;
      const edge = { streamId: b.streamId, stripe: b.stripe, to: b.nodeId };
      if (now !== undefined) adds.push({ op: 'add', ...edge, from: now });
      if (b.parent !== undefined) removes.push({ op: 'remove', ...edge, from: b.parent });
      changedNodes.set(`${b.streamId}\u0000${b.nodeId}`, { streamId: b.streamId, nodeId: b.nodeId });
    }
    const depth = (e: EdgeChange): number => tierNow(e.streamId, e.stripe, e.to) ?? 0;
    adds.sort((a, b) => depth(a) - depth(b));
    const assignments: ParentAssignment[] = [];
    for (const ref of changedNodes.values()) {
      const a = assignmentOf(ref.streamId, ref.nodeId);
      if (a) assignments.push(a);
    }
    const isMember = (r: StreamNodeRef): boolean => assignmentOf(r.streamId, r.nodeId) !== undefined;
    return {
      assignments,
      activated: dedupe(this.activated).filter(isMember),
      released: dedupe(this.released).filter((r) => !isMember(r)),
      edges: [...adds, ...removes],
    };
  }
}

function dedupe(refs: StreamNodeRef[]): StreamNodeRef[] {
  const seen = new Map<string, StreamNodeRef>();
  for (const r of refs) seen.set(`${r.streamId}\u0000${r.nodeId}`, r);
  return [...seen.values()];
}
