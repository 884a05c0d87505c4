import type { NodeId, StreamId } from '../protocol/index.ts';
import type { StreamTree } from './stream-tree.ts';
import type { ParentAssignment, PlanChanges, StreamNodeRef } from './types.ts';

interface Before {
  streamId: StreamId;
  nodeId: NodeId;
  member: boolean;
  parent: NodeId | null | undefined;
}

/**
 * Collects what one planner operation touched, so that only nodes whose parent really changed
 * (or who just joined a tree) are told, once, with their final assignment.
 */
export class ChangeRecorder {
  private readonly before = new Map<string, Before>();
  private readonly activated: StreamNodeRef[] = [];
  private readonly released: StreamNodeRef[] = [];

  /** Remembers the state of `nodeId` in `tree` before the operation first changes it. */
  touch(streamId: StreamId, nodeId: NodeId, tree: StreamTree): void {
    const key = `${streamId}\u0000${nodeId}`;
    if (this.before.has(key)) return;
    const member = tree.has(nodeId);
    this.before.set(key, { streamId, nodeId, member, parent: member ? tree.parentOf(nodeId) : undefined });
  }

  activate(streamId: StreamId, nodeId: NodeId): void {
    this.activated.push({ streamId, nodeId });
  }

  release(streamId: StreamId, nodeId: NodeId): void {
    this.released.push({ streamId, nodeId });
  }

  /** The changes, given a way to read each touched node's final assignment. */
  finish(assignmentOf: (streamId: StreamId, nodeId: NodeId) => ParentAssignment | undefined): PlanChanges {
    const assignments: ParentAssignment[] = [];
    for (const b of this.before.values()) {
      const now = assignmentOf(b.streamId, b.nodeId);
      if (!now) continue;
      const parent = now.origin ? null : (now.parents[0]?.id ?? null);
      if (!b.member || b.parent !== parent) assignments.push(now);
    }
    const isMember = (r: StreamNodeRef): boolean => assignmentOf(r.streamId, r.nodeId) !== undefined;
    return {
      assignments,
      activated: this.activated.filter(isMember),
      released: this.released.filter((r) => !isMember(r)),
    };
  }
}
