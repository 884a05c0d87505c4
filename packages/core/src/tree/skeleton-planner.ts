import type { NodeId, StreamId } from '../protocol/index.ts';
import { ChangeRecorder } from './change-recorder.ts';
import { PlannerError } from './errors.ts';
import { StreamTree } from './stream-tree.ts';
import {
  noChanges,
  type ParentAssignment,
  type PlanChanges,
  type PlanEdge,
  type PlanMember,
  type PlannerNode,
  type PlannerStream,
  type TreePlanner,
} from './types.ts';

export interface SkeletonPlannerOptions {
  /** Time source (ms) for how long failed parents are avoided. */
  now: () => number;
  /** How long a child avoids a parent it reported as failed (ms). Default 30 s. */
  failedParentExclusionMs?: number;
}

interface NodeEntry {
  node: PlannerNode;
  /** Arrival order: earlier nodes are preferred as parents among equals. */
  seq: number;
  drainingAll: boolean;
  draining: Set<StreamId>;
}

type ParentRoles = 'relays' | 'any';

/**
 * The first planner: per stream, the relay with the most spare upload is activated at tier 1
 * and pulls from the origin; further relays join under relays (tier 2); viewers hang under the
 * node with spare capacity closest to the origin, relays before viewers, earlier viewers before
 * later ones. A node takes `floor(uploadKbps / bitrateKbps)` children, accounted across every
 * stream it serves. Without any capacity a node pulls from the origin over HTTP. Relays serve a
 * stream from its first viewer until its last one leaves.
 */
export class SkeletonPlanner implements TreePlanner {
  private readonly nodes = new Map<NodeId, NodeEntry>();
  private readonly streams = new Map<StreamId, PlannerStream>();
  private readonly trees = new Map<StreamId, StreamTree>();
  /** `stream\0child` → parent → avoided until (ms). */
  private readonly exclusions = new Map<string, Map<NodeId, number>>();
  private nextSeq = 0;
  private readonly exclusionMs: number;

  constructor(private readonly options: SkeletonPlannerOptions) {
    this.exclusionMs = options.failedParentExclusionMs ?? 30_000;
  }

  // ── mutations ────────────────────────────────────────────────────────────────────────────

  addStream(stream: PlannerStream): PlanChanges {
    if (this.streams.has(stream.id)) throw new PlannerError('duplicate-stream', `stream ${stream.id} exists`);
    if (!(Number.isFinite(stream.bitrateKbps) && stream.bitrateKbps > 0)) {
      throw new RangeError(`stream ${stream.id}: bitrate must be a positive number`);
    }
    this.streams.set(stream.id, { ...stream });
    this.trees.set(stream.id, new StreamTree());
    return noChanges();
  }

  removeStream(streamId: StreamId): PlanChanges {
    const tree = this.tree(streamId);
    const rec = new ChangeRecorder();
    for (const id of tree.members()) rec.release(streamId, id);
    this.streams.delete(streamId);
    this.trees.delete(streamId);
    this.forgetExclusions((key) => key.startsWith(`${streamId}\u0000`));
    for (const entry of this.nodes.values()) entry.draining.delete(streamId);
    return rec.finish(() => undefined);
  }

  addNode(node: PlannerNode): PlanChanges {
    if (this.nodes.has(node.id)) throw new PlannerError('duplicate-node', `node ${node.id} exists`);
    if (!(Number.isFinite(node.uploadKbps) && node.uploadKbps >= 0)) {
      throw new RangeError(`node ${node.id}: upload must be a non-negative number`);
    }
    this.nodes.set(node.id, {
      node: { ...node },
      seq: this.nextSeq++,
      drainingAll: false,
      draining: new Set(),
    });
    const rec = new ChangeRecorder();
    if (node.role === 'relay') {
      for (const [streamId, tree] of this.trees) {
        if (tree.watching.size === 0) continue;
        this.activateRelay(streamId, node.id, rec);
        this.adoptOriginFedViewers(streamId, rec);
      }
    }
    return this.finish(rec);
  }

  removeNode(nodeId: NodeId): PlanChanges {
    this.entry(nodeId);
    const rec = new ChangeRecorder();
    for (const streamId of this.streamsOf(nodeId)) this.removeMember(streamId, nodeId, rec);
    this.nodes.delete(nodeId);
    this.forgetExclusions((key, parent) => key.endsWith(`\u0000${nodeId}`) || parent === nodeId);
    return this.finish(rec);
  }

  join(nodeId: NodeId, streamId: StreamId): PlanChanges {
    const entry = this.entry(nodeId);
    const tree = this.tree(streamId);
    if (entry.node.role !== 'viewer') {
      throw new PlannerError('not-a-viewer', `${nodeId} is a relay: relays are activated, they do not join`);
    }
    if (tree.has(nodeId)) return noChanges();
    const rec = new ChangeRecorder();
    if (tree.watching.size === 0) this.activateRelays(streamId, rec);
    rec.touch(streamId, nodeId, tree);
    tree.add(nodeId);
    tree.watching.add(nodeId);
    this.place(streamId, nodeId, 'any');
    return this.finish(rec);
  }

  leave(nodeId: NodeId, streamId: StreamId): PlanChanges {
    this.entry(nodeId);
    const tree = this.tree(streamId);
    if (!tree.has(nodeId)) throw new PlannerError('not-a-member', `${nodeId} is not in ${streamId}`);
    const rec = new ChangeRecorder();
    this.removeMember(streamId, nodeId, rec);
    return this.finish(rec);
  }

  drain(nodeId: NodeId, streamId?: StreamId): PlanChanges {
    const entry = this.entry(nodeId);
    let streamIds: StreamId[];
    if (streamId === undefined) {
      entry.drainingAll = true;
      streamIds = this.streamsOf(nodeId);
    } else {
      if (!this.tree(streamId).has(nodeId)) {
        throw new PlannerError('not-a-member', `${nodeId} is not in ${streamId}`);
      }
      entry.draining.add(streamId);
      streamIds = [streamId];
    }
    const rec = new ChangeRecorder();
    for (const id of streamIds) {
      const tree = this.tree(id);
      const orphans = tree.children(nodeId);
      for (const child of orphans) rec.touch(id, child, tree);
      tree.detachChildren(nodeId);
      this.placeOrphans(id, orphans);
    }
    return this.finish(rec);
  }

  parentFailed(nodeId: NodeId, streamId: StreamId, parentId: NodeId): PlanChanges {
    this.entry(nodeId);
    const tree = this.tree(streamId);
    if (!tree.has(nodeId)) throw new PlannerError('not-a-member', `${nodeId} is not in ${streamId}`);
    if (tree.parentOf(nodeId) !== parentId) {
      throw new PlannerError('not-the-parent', `${parentId} is not the parent of ${nodeId} in ${streamId}`);
    }
    const key = exclusionKey(streamId, nodeId);
    let avoided = this.exclusions.get(key);
    if (!avoided) this.exclusions.set(key, (avoided = new Map()));
    avoided.set(parentId, this.options.now() + this.exclusionMs);
    const rec = new ChangeRecorder();
    rec.touch(streamId, nodeId, tree);
    tree.detach(nodeId);
    this.place(streamId, nodeId, this.entry(nodeId).node.role === 'relay' ? 'relays' : 'any');
    return this.finish(rec);
  }

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

  // ── policy ───────────────────────────────────────────────────────────────────────────────

  /** First viewer of a stream: every relay that can take a child is activated, best first. */
  private activateRelays(streamId: StreamId, rec: ChangeRecorder): void {
    const relays = [...this.nodes.values()]
      .filter((e) => e.node.role === 'relay')
      .sort((a, b) => this.spareKbps(b) - this.spareKbps(a) || a.seq - b.seq);
    for (const relay of relays) this.activateRelay(streamId, relay.node.id, rec);
  }

  /**
   * Puts relay `nodeId` into `streamId`'s tree: at tier 1 if the stream has no serving relay,
   * otherwise under the relay closest to the origin with a free slot; not at all if none has one
   * or the relay cannot take a single child.
   */
  private activateRelay(streamId: StreamId, nodeId: NodeId, rec: ChangeRecorder): void {
    const tree = this.tree(streamId);
    const entry = this.entry(nodeId);
    const bitrate = this.bitrate(streamId);
    if (tree.has(nodeId) || this.isDraining(entry, streamId) || this.spareKbps(entry) < bitrate) return;
    let parent: NodeId | null = null;
    if (this.hasServingRelay(streamId)) {
      const chosen = this.chooseParent(streamId, nodeId, 'relays');
      if (chosen === undefined) return;
      parent = chosen;
    }
    rec.touch(streamId, nodeId, tree);
    tree.add(nodeId);
    tree.attach(nodeId, parent);
    rec.activate(streamId, nodeId);
  }

  /** Viewers pulling from the origin move under relays that have room (one origin copy less each). */
  private adoptOriginFedViewers(streamId: StreamId, rec: ChangeRecorder): void {
    const tree = this.tree(streamId);
    const fedByOrigin = [...tree.members()]
      .filter((id) => tree.parentOf(id) === null && this.nodes.get(id)?.node.role === 'viewer')
      .sort((a, b) => this.seqOf(a) - this.seqOf(b));
    for (const id of fedByOrigin) {
      const parent = this.chooseParent(streamId, id, 'relays');
      if (parent === undefined) continue;
      rec.touch(streamId, id, tree);
      tree.detach(id);
      tree.attach(id, parent);
    }
  }

  /** Takes `nodeId` out of `streamId`'s tree and re-parents its children. */
  private removeMember(streamId: StreamId, nodeId: NodeId, rec: ChangeRecorder): void {
    const tree = this.tree(streamId);
    for (const child of tree.children(nodeId)) rec.touch(streamId, child, tree);
    const orphans = tree.remove(nodeId);
    this.nodes.get(nodeId)?.draining.delete(streamId);
    if (tree.watching.size === 0) {
      // Nobody watches any more: every relay still serving the stream is released.
      for (const id of [...tree.members()]) {
        tree.remove(id);
        rec.release(streamId, id);
      }
      this.forgetExclusions((key) => key.startsWith(`${streamId}\u0000`));
      return;
    }
    this.placeOrphans(streamId, orphans);
    this.adoptOriginFedViewers(streamId, rec);
  }

  /** Places detached subtrees: relays first (most spare upload first), then viewers by arrival. */
  private placeOrphans(streamId: StreamId, orphans: readonly NodeId[]): void {
    const ordered = orphans
      .map((id) => this.entry(id))
      .sort((a, b) => {
        const roleOrder = roleRank(a.node.role) - roleRank(b.node.role);
        if (roleOrder !== 0) return roleOrder;
        if (a.node.role === 'relay') return this.spareKbps(b) - this.spareKbps(a) || a.seq - b.seq;
        return a.seq - b.seq;
      });
    for (const entry of ordered)
      this.place(streamId, entry.node.id, entry.node.role === 'relay' ? 'relays' : 'any');
  }

  /** Attaches the detached member `nodeId` to the best parent, or to the origin when none has room. */
  private place(streamId: StreamId, nodeId: NodeId, roles: ParentRoles): void {
    const parent = this.chooseParent(streamId, nodeId, roles);
    this.tree(streamId).attach(nodeId, parent ?? null);
  }

  /**
   * The attached member with room for one more child of `streamId` that is closest to the origin
   * (lowest tier), relays before viewers, earlier before later; never `nodeId`'s own subtree
   * (it is detached), a draining node, or a parent `nodeId` recently reported as failed.
   */
  private chooseParent(streamId: StreamId, nodeId: NodeId, roles: ParentRoles): NodeId | undefined {
    const tree = this.tree(streamId);
    const bitrate = this.bitrate(streamId);
    let best: { id: NodeId; tier: number; rank: number; seq: number } | undefined;
    for (const id of tree.members()) {
      if (id === nodeId) continue;
      const tier = tree.tierOf(id);
      const entry = this.nodes.get(id);
      if (tier === undefined || !entry) continue;
      if (roles === 'relays' && entry.node.role !== 'relay') continue;
      if (this.isDraining(entry, streamId) || this.isExcluded(streamId, nodeId, id)) continue;
      if (this.spareKbps(entry) < bitrate) continue;
      const candidate = { id, tier, rank: roleRank(entry.node.role), seq: entry.seq };
      if (!best || compareCandidates(candidate, best) < 0) best = candidate;
    }
    return best?.id;
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────────────

  private finish(rec: ChangeRecorder): PlanChanges {
    return rec.finish((streamId, nodeId) => this.assignment(streamId, nodeId));
  }

  private hasServingRelay(streamId: StreamId): boolean {
    const tree = this.tree(streamId);
    for (const id of tree.members()) {
      const entry = this.nodes.get(id);
      if (entry?.node.role === 'relay' && tree.isAttached(id) && !this.isDraining(entry, streamId))
        return true;
    }
    return false;
  }

  private spareKbps(entry: NodeEntry): number {
    return entry.node.uploadKbps - this.loadKbps(entry.node.id);
  }

  private isDraining(entry: NodeEntry, streamId: StreamId): boolean {
    return entry.drainingAll || entry.draining.has(streamId);
  }

  private isExcluded(streamId: StreamId, child: NodeId, parent: NodeId): boolean {
    const avoided = this.exclusions.get(exclusionKey(streamId, child));
    const until = avoided?.get(parent);
    if (until === undefined) return false;
    if (until > this.options.now()) return true;
    avoided?.delete(parent);
    return false;
  }

  private forgetExclusions(match: (key: string, parent: NodeId) => boolean): void {
    for (const [key, avoided] of this.exclusions) {
      for (const parent of avoided.keys()) if (match(key, parent)) avoided.delete(parent);
      if (avoided.size === 0) this.exclusions.delete(key);
    }
  }

  private seqOf(nodeId: NodeId): number {
    return this.nodes.get(nodeId)?.seq ?? Number.MAX_SAFE_INTEGER;
  }

  private bitrate(streamId: StreamId): number {
    const stream = this.streams.get(streamId);
    if (!stream) throw new PlannerError('unknown-stream', `unknown stream ${streamId}`);
    return stream.bitrateKbps;
  }

  private entry(nodeId: NodeId): NodeEntry {
    const entry = this.nodes.get(nodeId);
    if (!entry) throw new PlannerError('unknown-node', `unknown node ${nodeId}`);
    return entry;
  }

  private tree(streamId: StreamId): StreamTree {
    const tree = this.trees.get(streamId);
    if (!tree) throw new PlannerError('unknown-stream', `unknown stream ${streamId}`);
    return tree;
  }
}

function exclusionKey(streamId: StreamId, child: NodeId): string {
  return `${streamId}\u0000${child}`;
}

function roleRank(role: PlannerNode['role']): number {
  return role === 'relay' ? 0 : 1;
}

function compareCandidates(
  a: { tier: number; rank: number; seq: number },
  b: { tier: number; rank: number; seq: number },
): number {
  return a.tier - b.tier || a.rank - b.rank || a.seq - b.seq;
}
