import type { NodeId, StreamId } from '../protocol/index.ts';
import type { ChangeRecorder } from './change-recorder.ts';
import { PlannerError } from './errors.ts';
import type { StreamTree } from './stream-tree.ts';
import type {
  ParentAssignment,
  PlanChanges,
  PlanEdge,
  PlanMember,
  PlannerNode,
  PlannerStream,
  PlanView,
} from './types.ts';

/** A node as a planner keeps it. */
export interface NodeEntry {
  node: PlannerNode;
  /** Arrival order: earlier nodes are preferred as parents among equals. */
  seq: number;
  /** Draining every stream (a graceful leave of the whole network). */
  drainingAll: boolean;
  /** Streams the node is draining. */
  draining: Set<StreamId>;
}

/**
 * The state every planner keeps (nodes, streams, one {@link StreamTree} per stream, avoided
 * parents) and the read-only {@link PlanView} over it. Planners extend it with a policy.
 */
export abstract class PlanState implements PlanView {
  protected readonly nodes = new Map<NodeId, NodeEntry>();
  protected readonly streams = new Map<StreamId, PlannerStream>();
  protected readonly trees = new Map<StreamId, StreamTree>();
  /** `stream\0child` → parent → avoided until (ms). */
  protected readonly exclusions = new Map<string, Map<NodeId, number>>();

  constructor(protected readonly now: () => number) {}

  // ── views ────────────────────────────────────────────────────────────────────────────────

  streamIds(): StreamId[] {
    return [...this.streams.keys()];
  }

  members(streamId: StreamId): PlanMember[] {
    const tree = this.trees.get(streamId);
    if (!tree) return [];
    const out: PlanMember[] = [];
    for (const id of tree.members()) {
      const m = this.member(streamId, id);
      if (m) out.push(m);
    }
    return out;
  }

  member(streamId: StreamId, nodeId: NodeId): PlanMember | undefined {
    const tree = this.trees.get(streamId);
    const entry = this.nodes.get(nodeId);
    if (!tree || !entry || !tree.has(nodeId)) return undefined;
    return {
      id: nodeId,
      role: entry.node.role,
      parent: tree.parentOf(nodeId) ?? null,
      tier: tree.tierOf(nodeId) ?? 0,
      watching: tree.watching.has(nodeId),
    };
  }

  children(streamId: StreamId, nodeId: NodeId): NodeId[] {
    return [...(this.trees.get(streamId)?.children(nodeId) ?? [])];
  }

  edges(streamId: StreamId): PlanEdge[] {
    return this.members(streamId).map((m) => ({ streamId, from: m.parent, to: m.id }));
  }

  isEdge(streamId: StreamId, a: NodeId, b: NodeId): boolean {
    const tree = this.trees.get(streamId);
    if (!tree || a === b) return false;
    return (tree.has(b) && tree.parentOf(b) === a) || (tree.has(a) && tree.parentOf(a) === b);
  }

  streamsOf(nodeId: NodeId): StreamId[] {
    const out: StreamId[] = [];
    for (const [streamId, tree] of this.trees) if (tree.has(nodeId)) out.push(streamId);
    return out;
  }

  assignment(streamId: StreamId, nodeId: NodeId): ParentAssignment | undefined {
    const m = this.member(streamId, nodeId);
    if (!m) return undefined;
    const parentRole = m.parent === null ? undefined : this.nodes.get(m.parent)?.node.role;
    return {
      streamId,
      nodeId,
      parents: m.parent !== null && parentRole ? [{ id: m.parent, role: parentRole }] : [],
      origin: m.parent === null,
      tier: m.tier,
    };
  }

  loadKbps(nodeId: NodeId): number {
    let load = 0;
    for (const [streamId, tree] of this.trees) {
      const count = tree.childCount(nodeId);
      if (count > 0) load += count * (this.streams.get(streamId)?.bitrateKbps ?? 0);
    }
    return load;
  }

  viewerCount(streamId: StreamId): number {
    return this.trees.get(streamId)?.watching.size ?? 0;
  }

  node(nodeId: NodeId): PlannerNode | undefined {
    const entry = this.nodes.get(nodeId);
    return entry && { ...entry.node };
  }

  stream(streamId: StreamId): PlannerStream | undefined {
    const stream = this.streams.get(streamId);
    return stream && { ...stream };
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────────────

  protected finish(rec: ChangeRecorder): PlanChanges {
    return rec.finish((streamId, nodeId) => this.assignment(streamId, nodeId));
  }

  protected hasServingRelay(streamId: StreamId): boolean {
    const tree = this.tree(streamId);
    for (const id of tree.members()) {
      const entry = this.nodes.get(id);
      const serving =
        entry?.node.role === 'relay' && tree.isAttached(id) && !this.isDraining(entry, streamId);
      if (serving) return true;
    }
    return false;
  }

  protected spareKbps(entry: NodeEntry): number {
    return entry.node.uploadKbps - this.loadKbps(entry.node.id);
  }

  protected isDraining(entry: NodeEntry, streamId: StreamId): boolean {
    return entry.drainingAll || entry.draining.has(streamId);
  }

  protected isExcluded(streamId: StreamId, child: NodeId, parent: NodeId): boolean {
    const avoided = this.exclusions.get(exclusionKey(streamId, child));
    const until = avoided?.get(parent);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    avoided?.delete(parent);
    return false;
  }

  protected forgetExclusions(match: (key: string, parent: NodeId) => boolean): void {
    for (const [key, avoided] of this.exclusions) {
      for (const parent of avoided.keys()) if (match(key, parent)) avoided.delete(parent);
      if (avoided.size === 0) this.exclusions.delete(key);
    }
  }

  protected seqOf(nodeId: NodeId): number {
    return this.nodes.get(nodeId)?.seq ?? Number.MAX_SAFE_INTEGER;
  }

  protected bitrate(streamId: StreamId): number {
    const stream = this.streams.get(streamId);
    if (!stream) throw new PlannerError('unknown-stream', `unknown stream ${streamId}`);
    return stream.bitrateKbps;
  }

  protected entry(nodeId: NodeId): NodeEntry {
    const entry = this.nodes.get(nodeId);
    if (!entry) throw new PlannerError('unknown-node', `unknown node ${nodeId}`);
    return entry;
  }

  protected tree(streamId: StreamId): StreamTree {
    const tree = this.trees.get(streamId);
    if (!tree) throw new PlannerError('unknown-stream', `unknown stream ${streamId}`);
    return tree;
  }
}

/** Key of one child's avoided parents in one stream. */
export function exclusionKey(streamId: StreamId, child: NodeId): string {
  return `${streamId}\u0000${child}`;
}
