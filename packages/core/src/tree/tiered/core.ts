import type { NodeId, StreamId } from '../../protocol/index.ts';
import { PlannerError } from '../errors.ts';
import { exclusionKey } from '../plan-state.ts';
import { StreamTree } from '../stream-tree.ts';
import type { PlannerNode, PlannerStream } from '../types.ts';
import type { ResolvedTieredOptions } from './options.ts';
import { ParentIndex, type Room } from './parent-index.ts';
import type { StripeRecorder } from './recorder.ts';
import { NO_REGION, RegionOrder, type RegionSplit } from './regions.ts';
import { RelayPool } from './relay-pool.ts';

/** Slack for floating-point sums of per-stripe costs (kbit/s). */
export const EPSILON_KBPS = 1e-6;

/** A node as the tiered planner keeps it. */
export interface TNode {
  node: PlannerNode;
  region: string;
  /** Arrival order: earlier nodes win ties. */
  seq: number;
  drainingAll: boolean;
  draining: Set<StreamId>;
  /** Child edges per stream, over all its stripes. */
  childEdges: Map<StreamId, number>;
  /** Upload its children cost, over every stripe and stream (kbit/s). */
  load: number;
  /** Stripes in which the node is an active parent (a relay serving, or a tab promoted), by stream. */
  parentIn: Map<StreamId, Set<number>>;
  /** Number of stripes of each stream whose tree the node is in. */
  memberIn: Map<StreamId, number>;
}

/** One stripe of one stream: its tree and the bookkeeping that keeps placement fast. */
export class Stripe {
  readonly tree = new StreamTree();
  /** Active relays by region and tier. */
  readonly relays = new ParentIndex();
  /** Tabs promoted to parents, by region and tier. */
  readonly tabs = new ParentIndex();
  /** Viewers fed by the origin directly (no capacity was left for them). */
  readonly originFed = new Set<NodeId>();
  /**
   * Relays at the root of the stripe's tree: one, when the plan is as cheap as it can be. The origin
   * feeds stripe 0's; those of other stripes are fed through stripe 0 when it has room.
   */
  readonly heads = new Set<NodeId>();
  /** Number of viewer children of each parent. */
  readonly viewerKids = new Map<NodeId, number>();
  /** When each active parent is ready to serve (ms). */
  readonly warmAt = new Map<NodeId, number>();
  /** When each active parent was activated (ms). */
  readonly activatedAt = new Map<NodeId, number>();
  /** Viewers of the stream when each active parent was activated. */
  readonly audienceAtActivation = new Map<NodeId, number>();
  /** Free child slots of each active relay, under its high-water mark. */
  readonly free = new Map<NodeId, number>();
  /** Sum of {@link free} per region. */
  readonly freeByRegion = new Map<string, number>();

  /** Free relay slots in the whole stripe. */
  freeTotal(): number {
    let n = 0;
    for (const v of this.freeByRegion.values()) n += v;
    return n;
  }

  constructor(readonly index: number) {}
}

/** A stream as the tiered planner keeps it. */
export interface TStream {
  stream: PlannerStream & { stripes: number };
  /** What one child costs its parent in one stripe (kbit/s). */
  cost: number;
  stripes: Stripe[];
  viewers: Set<NodeId>;
  viewersByRegion: Map<string, number>;
  /** Watching tabs with enough upload to be promoted to parents. */
  capableTabs: Set<NodeId>;
  /** Viewers the last `provision` asked capacity for (0: none asked). */
  provisioned: number;
  /**
   * Heads of stripes 1…k−1 that are leaves of stripe 0's tree only to be fed the whole stream
   * there, not by the origin (see `head-feeds.ts`).
   */
  fedHeads: Set<NodeId>;
  /** Heads of stripes 1…k−1 stripe 0 had no room to feed (fed by the origin; tried again later). */
  unfedHeads: Set<NodeId>;
}

/**
 * The tiered planner's state and the primitive mutations that keep every index consistent:
 * tree membership and edges, per-node load across streams and stripes, open/full parents,
 * heads and origin-fed viewers. Policies (placement, activation, grow and shrink) are built on
 * these and never touch the trees directly.
 */
export class TieredCore {
  readonly nodes = new Map<NodeId, TNode>();
  readonly streams = new Map<StreamId, TStream>();
  /** `stream\0child` → parent → avoided until (ms). */
  readonly exclusions = new Map<string, Map<NodeId, number>>();
  /** Relays (by id) per region, for lookups by place. */
  readonly relaysByRegion = new Map<string, Set<NodeId>>();
  /** Relays that serve nothing. */
  readonly pool = new RelayPool((id) => {
    const entry = this.nodes.get(id);
    return entry !== undefined && this.isIdleRelay(entry);
  });
  /** Every region a node has named. */
  private readonly regions: RegionOrder;
  private nextSeq = 0;

  constructor(readonly opts: ResolvedTieredOptions) {
    this.regions = new RegionOrder(opts.regionRttMs);
  }

  now(): number {
    return this.opts.now();
  }

  // ── lookups ──────────────────────────────────────────────────────────────────────────────

  entry(nodeId: NodeId): TNode {
    const entry = this.nodes.get(nodeId);
    if (!entry) throw new PlannerError('unknown-node', `unknown node ${nodeId}`);
    return entry;
  }

  stream(streamId: StreamId): TStream {
    const st = this.streams.get(streamId);
    if (!st) throw new PlannerError('unknown-stream', `unknown stream ${streamId}`);
    return st;
  }

  newEntry(node: PlannerNode): TNode {
    const region = node.region ?? NO_REGION;
    const entry: TNode = {
      node: { ...node },
      region,
      seq: this.nextSeq++,
      drainingAll: false,
      draining: new Set(),
      childEdges: new Map(),
      load: 0,
      parentIn: new Map(),
      memberIn: new Map(),
    };
    this.nodes.set(node.id, entry);
    if (node.role === 'relay') {
      let set = this.relaysByRegion.get(region);
      if (!set) this.relaysByRegion.set(region, (set = new Set()));
      set.add(node.id);
    }
    this.regions.see(region);
    return entry;
  }

  dropEntry(entry: TNode): void {
    this.nodes.delete(entry.node.id);
    this.relaysByRegion.get(entry.region)?.delete(entry.node.id);
  }

  /** Whether `entry` can take `children` more children of `st` in one stripe each. */
  fits(entry: TNode, st: TStream, children = 1): boolean {
    return entry.load + st.cost * children <= entry.node.uploadKbps + EPSILON_KBPS;
  }

  /** Room for one more child of `st`, judged against the high-water mark (see {@link Room}). */
  room(entry: TNode, st: TStream): Room {
    const after = entry.load + st.cost;
    if (after > entry.node.uploadKbps + EPSILON_KBPS) return 'full';
    return after < this.opts.highWater * entry.node.uploadKbps - EPSILON_KBPS ? 'open' : 'busy';
  }

  /** How many more children of `st` the node can take. */
  freeSlots(entry: TNode, st: TStream): number {
    return Math.max(0, Math.floor((entry.node.uploadKbps - entry.load + EPSILON_KBPS) / st.cost));
  }

  /** Children the node could take of `st` if it had none at all. */
  fanout(entry: TNode, st: TStream): number {
    return Math.floor((entry.node.uploadKbps + EPSILON_KBPS) / st.cost);
  }

  /** A relay that serves no stream and is not leaving. */
  isIdleRelay(entry: TNode): boolean {
    return (
      entry.node.role === 'relay' &&
      entry.parentIn.size === 0 &&
      entry.memberIn.size === 0 &&
      !entry.drainingAll
    );
  }

  /** Puts the relay back into the pool if it serves nothing any more. */
  offerIfIdle(id: NodeId): void {
    const entry = this.nodes.get(id);
    if (entry && this.isIdleRelay(entry)) this.pool.offer(id, entry.region, entry.node.uploadKbps, entry.seq);
  }

  isDraining(entry: TNode, streamId: StreamId): boolean {
    return entry.drainingAll || entry.draining.has(streamId);
  }

  isExcluded(streamId: StreamId, child: NodeId, parent: NodeId): boolean {
    if (this.exclusions.size === 0) return false;
    const avoided = this.exclusions.get(exclusionKey(streamId, child));
    const until = avoided?.get(parent);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    avoided?.delete(parent);
    return false;
  }

  isParentIn(entry: TNode, streamId: StreamId, stripe: number): boolean {
    return entry.parentIn.get(streamId)?.has(stripe) ?? false;
  }

  /** `region` first, then every other known region, nearest (by measured RTT) first. */
  regionOrder(region: string): readonly string[] {
    return this.regions.of(region);
  }

  /** {@link regionOrder} cut into `[region]` and the others. */
  regionSplit(region: string): RegionSplit {
    return this.regions.split(region);
  }

  // ── mutations ────────────────────────────────────────────────────────────────────────────

  /** Adds `id` to a stripe's tree, detached. */
  addMember(rec: StripeRecorder, st: TStream, stripe: Stripe, id: NodeId): void {
    const entry = this.entry(id);
    rec.touch(st.stream.id, stripe.index, id, stripe.tree);
    stripe.tree.add(id);
    entry.memberIn.set(st.stream.id, (entry.memberIn.get(st.stream.id) ?? 0) + 1);
  }

  /** Hangs the detached member `id` (with its subtree) under `parent` (`null`: the origin). */
  attach(rec: StripeRecorder, st: TStream, stripe: Stripe, id: NodeId, parent: NodeId | null): void {
    const entry = this.entry(id);
    rec.touch(st.stream.id, stripe.index, id, stripe.tree);
    stripe.tree.attach(id, parent);
    if (parent === null) {
      if (entry.node.role === 'relay') stripe.heads.add(id);
      else stripe.originFed.add(id);
    } else {
      this.addChildEdge(st, parent, +1);
      if (entry.node.role === 'viewer')
        stripe.viewerKids.set(parent, (stripe.viewerKids.get(parent) ?? 0) + 1);
    }
    this.retier(stripe, id);
  }

  /** Cuts `id` (with its subtree) loose from its parent; it stays a member. */
  detach(rec: StripeRecorder, st: TStream, stripe: Stripe, id: NodeId): void {
    const parent = stripe.tree.parentOf(id);
    if (parent === undefined) return;
    rec.touch(st.stream.id, stripe.index, id, stripe.tree);
    stripe.tree.detach(id);
    if (parent === null) {
      stripe.heads.delete(id);
      stripe.originFed.delete(id);
      return;
    }
    this.addChildEdge(st, parent, -1);
    if (this.nodes.get(id)?.node.role === 'viewer') {
      const left = (stripe.viewerKids.get(parent) ?? 1) - 1;
      if (left > 0) stripe.viewerKids.set(parent, left);
      else stripe.viewerKids.delete(parent);
    }
  }

  /** Detaches every child of `id` in a stripe and returns them. */
  detachChildren(rec: StripeRecorder, st: TStream, stripe: Stripe, id: NodeId): NodeId[] {
    const orphans = stripe.tree.children(id);
    for (const child of orphans) this.detach(rec, st, stripe, child);
    return orphans;
  }

  /** Takes `id` out of a stripe's tree (it stops serving there); returns its orphaned children. */
  removeMember(rec: StripeRecorder, st: TStream, stripe: Stripe, id: NodeId): NodeId[] {
    if (!stripe.tree.has(id)) return [];
    const orphans = this.detachChildren(rec, st, stripe, id);
    this.detach(rec, st, stripe, id);
    this.deactivateParent(st, stripe, id);
    stripe.tree.remove(id);
    stripe.originFed.delete(id);
    const entry = this.nodes.get(id);
    if (entry) {
      const left = (entry.memberIn.get(st.stream.id) ?? 1) - 1;
      if (left > 0) entry.memberIn.set(st.stream.id, left);
      else entry.memberIn.delete(st.stream.id);
    }
    return orphans;
  }

  /** Makes `id` a parent in a stripe (it must be a member); new viewers prefer it once warm. */
  activateParent(st: TStream, stripe: Stripe, id: NodeId, warmAt: number): void {
    const entry = this.entry(id);
    let stripes = entry.parentIn.get(st.stream.id);
    if (!stripes) entry.parentIn.set(st.stream.id, (stripes = new Set()));
    stripes.add(stripe.index);
    stripe.warmAt.set(id, warmAt);
    stripe.activatedAt.set(id, this.now());
    stripe.audienceAtActivation.set(id, st.viewers.size);
    const index = entry.node.role === 'relay' ? stripe.relays : stripe.tabs;
    index.add(id, entry.region, stripe.tree.tierOf(id) ?? 0, this.room(entry, st));
    this.updateFree(st, stripe, entry);
  }

  /** `id` stops taking children in a stripe. Returns whether it serves nothing any more. */
  deactivateParent(st: TStream, stripe: Stripe, id: NodeId): boolean {
    const entry = this.nodes.get(id);
    stripe.relays.remove(id);
    stripe.tabs.remove(id);
    stripe.warmAt.delete(id);
    stripe.activatedAt.delete(id);
    stripe.audienceAtActivation.delete(id);
    const free = stripe.free.get(id);
    if (free !== undefined) {
      stripe.free.delete(id);
      const region = entry?.region ?? NO_REGION;
      stripe.freeByRegion.set(region, (stripe.freeByRegion.get(region) ?? 0) - free);
    }
    if (!entry) return true;
    const stripes = entry.parentIn.get(st.stream.id);
    stripes?.delete(stripe.index);
    if (stripes?.size === 0) entry.parentIn.delete(st.stream.id);
    return entry.parentIn.size === 0;
  }

  private addChildEdge(st: TStream, parent: NodeId, delta: number): void {
    const entry = this.nodes.get(parent);
    if (!entry) return;
    const edges = (entry.childEdges.get(st.stream.id) ?? 0) + delta;
    if (edges > 0) entry.childEdges.set(st.stream.id, edges);
    else entry.childEdges.delete(st.stream.id);
    // Recomputed from counts (no drift); the common case serves one stream.
    if (entry.childEdges.size === 0) entry.load = 0;
    else if (entry.childEdges.size === 1 && edges > 0)
      entry.load = (edges * st.stream.bitrateKbps) / st.stream.stripes;
    else {
      let load = 0;
      entry.childEdges.forEach((count, streamId) => {
        const s = this.streams.get(streamId);
        if (s) load += (count * s.stream.bitrateKbps) / s.stream.stripes;
      });
      entry.load = load;
    }
    entry.parentIn.forEach((stripes, streamId) => {
      const s = this.streams.get(streamId);
      if (!s) return;
      const room = this.room(entry, s);
      stripes.forEach((i) => {
        const stripe = s.stripes[i];
        if (!stripe) return;
        if (entry.node.role === 'relay') stripe.relays.setRoom(parent, room);
        else stripe.tabs.setRoom(parent, room);
        this.updateFree(s, stripe, entry);
      });
    });
  }

  /**
   * Children of `st` the node can take and stay under its high-water mark (after `releasedKbps`
   * of its current load went away, when given).
   */
  comfortableSlots(entry: TNode, st: TStream, releasedKbps = 0): number {
    const room = this.opts.highWater * entry.node.uploadKbps - (entry.load - releasedKbps) - EPSILON_KBPS;
    return Math.max(0, Math.ceil(room / st.cost) - 1);
  }

  private updateFree(st: TStream, stripe: Stripe, entry: TNode): void {
    if (entry.node.role !== 'relay') return;
    const id = entry.node.id;
    const free = this.comfortableSlots(entry, st);
    const old = stripe.free.get(id) ?? 0;
    if (free === old && stripe.free.has(id)) return;
    stripe.free.set(id, free);
    stripe.freeByRegion.set(entry.region, (stripe.freeByRegion.get(entry.region) ?? 0) + free - old);
  }

  /** Brings the index tiers of every active parent in `root`'s subtree up to date. */
  private retier(stripe: Stripe, root: NodeId): void {
    const tree = stripe.tree;
    if (tree.childCount(root) === 0) {
      if (stripe.warmAt.has(root)) this.setIndexTier(stripe, root, tree.tierOf(root) ?? 0);
      return;
    }
    const queue: NodeId[] = [root];
    for (let i = 0; i < queue.length; i++) {
      const id = queue[i] as NodeId;
      if (stripe.warmAt.has(id)) this.setIndexTier(stripe, id, tree.tierOf(id) ?? 0);
      for (const child of tree.children(id))
        if (tree.childCount(child) > 0 || stripe.warmAt.has(child)) queue.push(child);
    }
  }

  private setIndexTier(stripe: Stripe, id: NodeId, tier: number): void {
    stripe.relays.setTier(id, tier);
    stripe.tabs.setTier(id, tier);
  }
}
