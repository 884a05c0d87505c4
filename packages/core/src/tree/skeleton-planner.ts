import type { NodeId, StreamId } from '../protocol/index.ts';
import { ChangeRecorder } from './change-recorder.ts';
import { PlannerError } from './errors.ts';
import { exclusionKey, PlanState } from './plan-state.ts';
import { StreamTree } from './stream-tree.ts';
import {
  noChanges,
  type PlanChanges,
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

type ParentRoles = 'relays' | 'any';

/**
 * The first planner: per stream, the relay with the most spare upload is activated at tier 1
 * and pulls from the origin; further relays join under relays (tier 2); viewers hang under the
 * node with spare capacity closest to the origin, relays before viewers, earlier viewers before
 * later ones. A node takes `floor(uploadKbps / bitrateKbps)` children, accounted across every
 * stream it serves. Without any capacity a node pulls from the origin over HTTP. Relays serve a
 * stream from its first viewer until its last one leaves.
 */
export class SkeletonPlanner extends PlanState implements TreePlanner {
  private nextSeq = 0;
  private readonly exclusionMs: number;

  constructor(options: SkeletonPlannerOptions) {
    super(options.now);
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
    avoided.set(parentId, this.now() + this.exclusionMs);
    const rec = new ChangeRecorder();
    rec.touch(streamId, nodeId, tree);
    tree.detach(nodeId);
    this.place(streamId, nodeId, this.entry(nodeId).node.role === 'relay' ? 'relays' : 'any');
    return this.finish(rec);
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
