import type { NodeId, Parent, StreamId } from '../../protocol/index.ts';
import type {
  MemberStripe,
  ParentAssignment,
  PlanEdge,
  PlanMember,
  PlannerNode,
  PlannerStream,
  PlanView,
} from '../types.ts';
import { depthBound, type StripeShape } from '../shape.ts';
import { TieredCore } from './core.ts';
import { farmsOf, type FarmView } from './farms.ts';
import { busiestStripe } from './grow-shrink.ts';
import { resolveOptions, type TieredPlannerOptions } from './options.ts';

/** What a relay should tell the coordinator about its load (see {@link TieredPlannerOptions.highWater}). */
export type ThresholdState = 'distribute' | 'consolidate' | 'ok';

/**
 * The read side of the tiered planner: the {@link PlanView} every planner offers, with the
 * stripes of each member, plus figures the coordinator, admin and simulator read.
 */
export abstract class TieredViews implements PlanView {
  protected readonly core: TieredCore;

  constructor(options: TieredPlannerOptions) {
    this.core = new TieredCore(resolveOptions(options));
  }

  streamIds(): StreamId[] {
    return [...this.core.streams.keys()];
  }

  members(streamId: StreamId): PlanMember[] {
    const st = this.core.streams.get(streamId);
    if (!st) return [];
    const ids = new Set<NodeId>();
    for (const stripe of st.stripes) for (const id of stripe.tree.members()) ids.add(id);
    const out: PlanMember[] = [];
    for (const id of ids) {
      const m = this.member(streamId, id);
      if (m) out.push(m);
    }
    return out;
  }

  member(streamId: StreamId, nodeId: NodeId): PlanMember | undefined {
    const st = this.core.streams.get(streamId);
    const entry = this.core.nodes.get(nodeId);
    if (!st || !entry) return undefined;
    const places: MemberStripe[] = [];
    for (const stripe of st.stripes) {
      if (!stripe.tree.has(nodeId)) continue;
      places.push({
        stripe: stripe.index,
        parent: stripe.tree.parentOf(nodeId) ?? null,
        tier: stripe.tree.tierOf(nodeId) ?? 0,
      });
    }
    const first = places[0];
    if (!first) return undefined;
    return {
      id: nodeId,
      role: entry.node.role,
      parent: first.parent,
      tier: first.tier,
      watching: st.viewers.has(nodeId),
      stripes: places,
    };
  }

  children(streamId: StreamId, nodeId: NodeId): NodeId[] {
    const st = this.core.streams.get(streamId);
    if (!st) return [];
    const out = new Set<NodeId>();
    for (const stripe of st.stripes) for (const c of stripe.tree.children(nodeId)) out.add(c);
    return [...out];
  }

  edges(streamId: StreamId): PlanEdge[] {
    const st = this.core.streams.get(streamId);
    if (!st) return [];
    const out: PlanEdge[] = [];
    for (const stripe of st.stripes) {
      for (const id of stripe.tree.members()) {
        out.push({ streamId, from: stripe.tree.parentOf(id) ?? null, to: id, stripe: stripe.index });
      }
    }
    return out;
  }

  isEdge(streamId: StreamId, a: NodeId, b: NodeId): boolean {
    const st = this.core.streams.get(streamId);
    if (!st || a === b) return false;
    return st.stripes.some((s) => s.tree.parentOf(b) === a || s.tree.parentOf(a) === b);
  }

  streamsOf(nodeId: NodeId): StreamId[] {
    return [...(this.core.nodes.get(nodeId)?.memberIn.keys() ?? [])];
  }

  assignment(streamId: StreamId, nodeId: NodeId): ParentAssignment | undefined {
    const m = this.member(streamId, nodeId);
    if (!m?.stripes) return undefined;
    const parents: Parent[] = [];
    const seen = new Set<NodeId>();
    let origin = false;
    let tier = 0;
    // A head fed through stripe 0 gets the whole stream from its feeder there, not the origin.
    const fed = this.core.streams.get(streamId)?.fedHeads.has(nodeId) ?? false;
    for (const place of m.stripes) {
      tier = Math.max(tier, place.tier);
      if (place.parent === null) {
        if (!fed) origin = true;
        continue;
      }
      const role = this.core.nodes.get(place.parent)?.node.role;
      if (role && !seen.has(place.parent)) {
        seen.add(place.parent);
        parents.push({ id: place.parent, role });
      }
    }
    return { streamId, nodeId, parents, origin, tier, stripes: m.stripes };
  }

  loadKbps(nodeId: NodeId): number {
    return this.core.nodes.get(nodeId)?.load ?? 0;
  }

  viewerCount(streamId: StreamId): number {
    return this.core.streams.get(streamId)?.viewers.size ?? 0;
  }

  node(nodeId: NodeId): PlannerNode | undefined {
    const entry = this.core.nodes.get(nodeId);
    return entry && { ...entry.node };
  }

  stream(streamId: StreamId): PlannerStream | undefined {
    const st = this.core.streams.get(streamId);
    return st && { ...st.stream };
  }

  // ── beyond PlanView ──────────────────────────────────────────────────────────────────────

  /** Parent of `nodeId` in one stripe (`null`: the origin; `undefined`: not in that stripe). */
  stripeParent(streamId: StreamId, stripe: number, nodeId: NodeId): NodeId | null | undefined {
    // Members are always attached outside an operation, so the tree's parent map says it all.
    return this.core.streams.get(streamId)?.stripes[stripe]?.tree.parentOf(nodeId);
  }

  /** Children of `nodeId` in one stripe. */
  stripeChildren(streamId: StreamId, stripe: number, nodeId: NodeId): NodeId[] {
    return this.core.streams.get(streamId)?.stripes[stripe]?.tree.children(nodeId) ?? [];
  }

  /** Tier of `nodeId` in one stripe (1: fed by the origin). */
  stripeTier(streamId: StreamId, stripe: number, nodeId: NodeId): number | undefined {
    return this.core.streams.get(streamId)?.stripes[stripe]?.tree.tierOf(nodeId);
  }

  /** Number of stripes of a stream (0 for an unknown stream). */
  stripeCount(streamId: StreamId): number {
    return this.core.streams.get(streamId)?.stripes.length ?? 0;
  }

  /**
   * Stripe edges of the plan that start at the origin, heads fed through stripe 0 included (their
   * stripe's root); see {@link originCopies} for what the origin sends.
   */
  originFanout(streamId: StreamId): number {
    let n = 0;
    for (const s of this.core.streams.get(streamId)?.stripes ?? []) n += s.heads.size + s.originFed.size;
    return n;
  }

  /**
   * Copies of the stream the origin sends, as the data plane moves it: one whole copy per relay
   * told `origin: true` (an origin-fed head prefetches whole segments), plus 1/k per stripe a
   * viewer is fed by the origin in (the one share it fetches there).
   */
  originCopies(streamId: StreamId): number {
    const st = this.core.streams.get(streamId);
    if (!st) return 0;
    const relays = new Set<NodeId>();
    let viewerStripes = 0;
    for (const stripe of st.stripes) {
      for (const id of stripe.heads) if (!st.fedHeads.has(id)) relays.add(id);
      viewerStripes += stripe.originFed.size;
    }
    return relays.size + viewerStripes / st.stripes.length;
  }

  /** The stripe-0 relay that feeds `nodeId`, if it is a head fed through stripe 0. */
  headFeeder(streamId: StreamId, nodeId: NodeId): NodeId | undefined {
    const st = this.core.streams.get(streamId);
    if (!st?.fedHeads.has(nodeId)) return undefined;
    return st.stripes[0]?.tree.parentOf(nodeId) ?? undefined;
  }

  /** Children's cost ÷ upload (0 for nodes without upload). */
  loadRatio(nodeId: NodeId): number {
    const entry = this.core.nodes.get(nodeId);
    if (!entry || entry.node.uploadKbps <= 0) return 0;
    return entry.load / entry.node.uploadKbps;
  }

  /**
   * The relay's rule for its messages: `distribute` at or above the high-water mark when it
   * feeds at least two viewers in a stripe (only viewers can be moved: a relay loaded with relays
   * is doing its job), `consolidate` for an active relay at or below the low-water mark, else
   * `ok`.
   */
  thresholdState(nodeId: NodeId): ThresholdState {
    const entry = this.core.nodes.get(nodeId);
    if (!entry || entry.parentIn.size === 0) return 'ok';
    const ratio = this.loadRatio(nodeId);
    if (ratio >= this.core.opts.highWater) return busiestStripe(this.core, entry) ? 'distribute' : 'ok';
    if (entry.node.role === 'relay' && ratio <= this.core.opts.lowWater) return 'consolidate';
    return 'ok';
  }

  /** Relays serving `streamId` (or any stream) as parents. */
  activeRelays(streamId?: StreamId): NodeId[] {
    const out: NodeId[] = [];
    for (const [id, entry] of this.core.nodes) {
      if (entry.node.role !== 'relay') continue;
      if (streamId === undefined ? entry.parentIn.size > 0 : entry.parentIn.has(streamId)) out.push(id);
    }
    return out;
  }

  /** {@link planShape} of a stream, computed without building member objects (for large plans). */
  shapes(streamId: StreamId): StripeShape[] {
    const st = this.core.streams.get(streamId);
    if (!st) return [];
    return st.stripes.map((stripe) => {
      const tree = stripe.tree;
      let viewers = 0;
      let maxDepth = 0;
      let originChildren = 0;
      let interior = 0;
      let carried = 0;
      let feedHops = 0;
      if (stripe.index > 0) {
        for (const id of stripe.heads) {
          if (st.fedHeads.has(id)) feedHops = Math.max(feedHops, (st.stripes[0]?.tree.tierOf(id) ?? 1) - 1);
        }
      }
      for (const id of tree.members()) {
        const watching = st.viewers.has(id);
        const kids = tree.childCount(id);
        if (kids > 0) interior++;
        if (watching) {
          viewers++;
          maxDepth = Math.max(maxDepth, tree.tierOf(id) ?? 0);
        }
        if (tree.parentOf(id) === null) originChildren++;
        else if (watching || kids > 0) carried++;
      }
      const meanFanout = interior > 0 ? carried / interior : 0;
      return {
        stripe: stripe.index,
        viewers,
        maxDepth,
        feedHops,
        originChildren,
        interior,
        meanFanout,
        depthBound: depthBound(meanFanout, viewers),
      };
    });
  }

  /** The farms (relays of one stripe, tier and region) of a stream, with their balance. */
  farms(streamId: StreamId): FarmView[] {
    return farmsOf(this.core, streamId);
  }

  /** Whether the node is an active parent in any stream. */
  servesAny(nodeId: NodeId): boolean {
    return (this.core.nodes.get(nodeId)?.parentIn.size ?? 0) > 0;
  }

  /** Whether `nodeId` is an active parent in `streamId` that is still warming up. */
  isWarming(streamId: StreamId, nodeId: NodeId): boolean {
    const now = this.core.now();
    return (this.core.streams.get(streamId)?.stripes ?? []).some((s) => (s.warmAt.get(nodeId) ?? 0) > now);
  }
}
