import type { NodeId, StreamId } from '../../protocol/index.ts';
import { activateRelay } from './activation.ts';
import { placeOrphans } from './attach.ts';
import type { Stripe, TieredCore, TNode, TStream } from './core.ts';
import { findViewerParent } from './placement.ts';
import type { StripeRecorder } from './recorder.ts';

/** Activations one `provision` call may make per stripe, whatever the forecast says. */
const MAX_ACTIVATIONS_PER_PROVISION = 10_000;

/**
 * *Distribute*: `nodeId` is over its high-water mark. In the stripe where it feeds the most
 * viewers, enough of them to bring it back to the middle of its band (between the low- and
 * high-water marks) move, make-before-break: first to warm relays of its region that stay under
 * the high-water mark (the farm is balanced), the rest to a relay activated now near it.
 * Returns whether anything changed.
 */
export function distribute(
  core: TieredCore,
  rec: StripeRecorder,
  nodeId: NodeId,
  streamId?: StreamId,
): boolean {
  const entry = core.entry(nodeId);
  const best = busiestStripe(core, entry, streamId);
  if (!best) return false;
  const { st, stripe, kids } = best;
  const middle = ((core.opts.lowWater + core.opts.highWater) / 2) * entry.node.uploadKbps;
  const excess = Math.min(kids, Math.max(1, Math.ceil((entry.load - middle) / st.cost)));
  const viewers = viewerChildren(core, stripe, nodeId, entry.region).slice(0, excess);
  // Draining while the viewers look for warm relays, so that none lands back on the node.
  const moved = withDraining(entry, st.stream.id, () => {
    let n = 0;
    for (const child of viewers) {
      const target = findViewerParent(core, st, stripe, stripe.relays, [entry.region], child, 'open').warm;
      if (target === undefined) break;
      core.detach(rec, st, stripe, child);
      core.attach(rec, st, stripe, child, target);
      n++;
    }
    return n;
  });
  if (moved === viewers.length) return moved > 0;
  const relay = activateRelay(core, rec, st, stripe, core.regionOrder(entry.region));
  if (relay === undefined) return moved > 0;
  for (const child of viewers.slice(moved)) {
    if (!core.fits(core.entry(relay), st) || stripe.tree.parentOf(child) !== nodeId) continue;
    core.detach(rec, st, stripe, child);
    core.attach(rec, st, stripe, child, relay);
  }
  return true;
}

/** The stripe (of `only`, if given) in which `entry` feeds the most viewers (at least two), if any. */
export function busiestStripe(
  core: TieredCore,
  entry: TNode,
  only?: StreamId,
): { st: TStream; stripe: Stripe; kids: number } | undefined {
  let best: { st: TStream; stripe: Stripe; kids: number } | undefined;
  for (const [streamId, stripes] of entry.parentIn) {
    if (only !== undefined && streamId !== only) continue;
    const st = core.streams.get(streamId);
    for (const i of stripes) {
      const stripe = st?.stripes[i];
      const kids = stripe?.viewerKids.get(entry.node.id) ?? 0;
      if (st && stripe && kids > (best?.kids ?? 1)) best = { st, stripe, kids };
    }
  }
  return best;
}

/**
 * Share of a stream's viewers that must have left since a parent was activated for it to count
 * as gone for good, so that its `minActiveMs` grace no longer holds (see {@link isProtectedAsFresh}).
 */
export const AUDIENCE_LEFT_SHARE = 0.25;

/**
 * Whether the parent `id` may not be merged away from a stripe yet: it was activated less than
 * `minActiveMs` ago, and its audience has not clearly left since. The grace keeps a relay that
 * was just activated for growth from being consolidated on the first quiet moment (and activated
 * again with the next join); it has no purpose once the stream lost at least
 * {@link AUDIENCE_LEFT_SHARE} of the viewers it had at the activation and the latest forecast
 * (when there is one) does not expect them back.
 */
export function isProtectedAsFresh(core: TieredCore, st: TStream, stripe: Stripe, id: NodeId): boolean {
  const now = core.now();
  if ((stripe.activatedAt.get(id) ?? now) + core.opts.minActiveMs <= now) return false;
  const before = stripe.audienceAtActivation.get(id) ?? 0;
  const viewers = st.viewers.size;
  const shrank = before > 0 && viewers <= Math.floor((1 - AUDIENCE_LEFT_SHARE) * before);
  // Capacity for viewers the forecast expects is kept anyway (the reserve in consolidateIn).
  const noReturnExpected = st.provisioned < before;
  return !(shrank && noReturnExpected);
}

/**
 * *Consolidate*: `nodeId` is under its low-water mark. In every stripe it serves, if it has been
 * active for `minActiveMs` (or its audience clearly left: see {@link isProtectedAsFresh}), and
 * the other relays of the stripe have room for its children plus
 * the viewers the last `provision` asked for, its children move to them first and it is then
 * deactivated (released from streams it no longer serves). An origin-fed head that feeds relays
 * stays: its least loaded leaf relay is merged into it instead. Returns the stripes that shrank.
 */
export function consolidate(core: TieredCore, rec: StripeRecorder, nodeId: NodeId, only?: StreamId): number {
  const entry = core.entry(nodeId);
  let left = 0;
  for (const [streamId, stripes] of [...entry.parentIn]) {
    if (only !== undefined && streamId !== only) continue;
    const st = core.stream(streamId);
    for (const i of [...stripes]) {
      const stripe = st.stripes[i];
      if (stripe && consolidateIn(core, rec, st, stripe, entry)) left++;
    }
  }
  core.offerIfIdle(nodeId);
  return left;
}

/** Consolidates `entry` away from one stripe if it may go (see {@link consolidate}). */
function consolidateIn(
  core: TieredCore,
  rec: StripeRecorder,
  st: TStream,
  stripe: Stripe,
  entry: TNode,
): boolean {
  const nodeId = entry.node.id;
  if (isProtectedAsFresh(core, st, stripe, nodeId)) return false;
  const children = stripe.tree.childCount(nodeId);
  const originFed = stripe.tree.parentOf(nodeId) === null && !st.fedHeads.has(nodeId);
  if (originFed && children !== (stripe.viewerKids.get(nodeId) ?? 0)) {
    // An origin-fed head that feeds relays: the least loaded of its leaf relays is merged into it
    // instead, so the tree shrinks all the same. Merging the head would re-hang its relay children
    // from the origin, which then sends a second copy while the new head catches up.
    const leaf = leafRelayChild(core, st, stripe, nodeId);
    if (!leaf || !consolidateIn(core, rec, st, stripe, leaf)) return false;
    core.offerIfIdle(leaf.node.id);
    return true;
  }
  const reserve = Math.max(0, st.provisioned - st.viewers.size);
  const elsewhere =
    stripe.freeTotal() - (stripe.free.get(nodeId) ?? 0) + freedAtParent(core, st, stripe, entry);
  if (elsewhere < children + reserve) return false;
  if (entry.node.role === 'relay') {
    // The relay leaves first, so the slot it held at its parent can take one of its children.
    withDraining(entry, st.stream.id, () => {
      placeOrphans(core, rec, st, stripe, core.removeMember(rec, st, stripe, nodeId));
    });
  } else {
    withDraining(entry, st.stream.id, () => {
      placeOrphans(core, rec, st, stripe, core.detachChildren(rec, st, stripe, nodeId));
    });
    core.deactivateParent(st, stripe, nodeId);
  }
  if (entry.node.role === 'relay' && !entry.memberIn.has(st.stream.id)) rec.release(st.stream.id, nodeId);
  return true;
}

/** The child relay of `parentId` in a stripe that feeds viewers only, the fewest, and may go. */
function leafRelayChild(core: TieredCore, st: TStream, stripe: Stripe, parentId: NodeId): TNode | undefined {
  let best: TNode | undefined;
  let fewest = Number.POSITIVE_INFINITY;
  for (const id of stripe.tree.children(parentId)) {
    const entry = core.nodes.get(id);
    if (entry?.node.role !== 'relay' || core.isDraining(entry, st.stream.id)) continue;
    const kids = stripe.tree.childCount(id);
    if (kids !== (stripe.viewerKids.get(id) ?? 0) || kids >= fewest) continue;
    if (isProtectedAsFresh(core, st, stripe, id)) continue;
    best = entry;
    fewest = kids;
  }
  return best;
}

/** Comfortable slots a relay's parent gains in a stripe when the relay (a relay itself) leaves it. */
function freedAtParent(core: TieredCore, st: TStream, stripe: Stripe, entry: TNode): number {
  if (entry.node.role !== 'relay') return 0;
  const parentId = stripe.tree.parentOf(entry.node.id);
  const parent = parentId ? core.nodes.get(parentId) : undefined;
  if (!parentId || parent?.node.role !== 'relay') return 0;
  return Math.max(0, core.comfortableSlots(parent, st, st.cost) - (stripe.free.get(parentId) ?? 0));
}

/**
 * Regroups a stream's relays for the load expected over the coming period (claims 21–22): each
 * stripe gets free relay slots (under the high-water mark) for the growth to `expectedViewers`
 * plus the margin, per region in proportion to where its viewers are now, by activating relays;
 * a region with far more room than it needs (more than {@link SHRINK_HEADROOM} of its viewers and
 * the growth) gives back its least-loaded leaf relays, a few per call. Remembers the figure, so
 * `consolidate` keeps that capacity. Does nothing for a stream nobody watches yet. Returns the
 * relays activated minus those released.
 */
export function provision(
  core: TieredCore,
  rec: StripeRecorder,
  streamId: StreamId,
  expectedViewers: number,
): number {
  const st = core.stream(streamId);
  if (!Number.isFinite(expectedViewers) || expectedViewers < 0) {
    throw new RangeError(`expected viewers must be a non-negative number, got ${expectedViewers}`);
  }
  st.provisioned = expectedViewers;
  const viewers = st.viewers.size;
  if (viewers === 0) return 0;
  const growth = Math.max(0, expectedViewers - viewers);
  let net = 0;
  const needs = new Map<string, number>();
  for (const [region, count] of st.viewersByRegion) {
    needs.set(region, Math.ceil((count / viewers) * growth * (1 + core.opts.provisionMargin)));
  }
  for (const stripe of st.stripes) {
    /** What regions other than `region` lack of their need and borrow from relays elsewhere. */
    const borrowedBy = (region: string): number => {
      let sum = 0;
      for (const [r, need] of needs)
        if (r !== region) sum += Math.max(0, need - (stripe.freeByRegion.get(r) ?? 0));
      return sum;
    };
    const spareBeyondNeeds = (region: string): number => {
      let sum = 0;
      for (const [r, free] of stripe.freeByRegion) {
        if (r !== region) sum += Math.max(0, free - (needs.get(r) ?? 0));
      }
      return sum;
    };
    for (const [region, count] of st.viewersByRegion) {
      const need = needs.get(region) ?? 0;
      // A region without an active relay of its own has its viewers placed in the nearest
      // regions: their room beyond their own need counts before a relay is activated for it.
      let credit = stripe.relays.tiersOf(region).length > 0 ? 0 : spareBeyondNeeds(region);
      for (let n = 0; n < MAX_ACTIVATIONS_PER_PROVISION; n++) {
        if ((stripe.freeByRegion.get(region) ?? 0) + credit >= need) break;
        const relay = activateRelay(core, rec, st, stripe, core.regionOrder(region));
        if (relay === undefined) break;
        net++;
        const relayEntry = core.entry(relay);
        if (relayEntry.region !== region) credit += core.comfortableSlots(relayEntry, st);
      }
      // Slots a region without relays of its own borrows here are kept too: giving them back
      // would only have that region's growth activate the same relay again next period.
      const keep = Math.max(need, Math.ceil(SHRINK_HEADROOM * count)) + borrowedBy(region);
      for (let n = 0; n < MAX_RELEASES_PER_PROVISION; n++) {
        const spare = leastLoadedLeafRelay(core, st, stripe, region);
        if (!spare) break;
        const after = (stripe.freeByRegion.get(region) ?? 0) - (stripe.free.get(spare.node.id) ?? 0);
        if (after - stripe.tree.childCount(spare.node.id) < keep) break;
        if (!consolidateIn(core, rec, st, stripe, spare)) break;
        core.offerIfIdle(spare.node.id);
        net--;
      }
    }
  }
  return net;
}

/** Room a region keeps beyond its viewers when `provision` gives relays back, as a share of them. */
export const SHRINK_HEADROOM = 0.25;
/** Relays one `provision` call gives back per stripe and region, at most. */
const MAX_RELEASES_PER_PROVISION = 4;

/**
 * The relay of `region` in a stripe that feeds the fewest children and no relay, not the head,
 * past its `minActiveMs` grace (see {@link isProtectedAsFresh}): the cheapest one to consolidate.
 */
function leastLoadedLeafRelay(
  core: TieredCore,
  st: TStream,
  stripe: Stripe,
  region: string,
): TNode | undefined {
  let best: TNode | undefined;
  let fewest = Number.POSITIVE_INFINITY;
  for (const tier of stripe.relays.tiersOf(region)) {
    if (tier <= 1) continue;
    const list = stripe.relays.bucket(region, tier)?.open;
    for (let i = 0; list && i < list.length; i++) {
      const id = list.at(i) as NodeId;
      const kids = stripe.tree.childCount(id);
      if (kids >= fewest || kids !== (stripe.viewerKids.get(id) ?? 0)) continue;
      if (isProtectedAsFresh(core, st, stripe, id)) continue;
      const entry = core.nodes.get(id);
      if (!entry || core.isDraining(entry, st.stream.id)) continue;
      best = entry;
      fewest = kids;
    }
  }
  return best;
}

/** Runs `fn` with `entry` marked as draining `streamId` (it takes no new children meanwhile). */
function withDraining<T>(entry: TNode, streamId: StreamId, fn: () => T): T {
  if (entry.drainingAll || entry.draining.has(streamId)) return fn();
  entry.draining.add(streamId);
  try {
    return fn();
  } finally {
    entry.draining.delete(streamId);
  }
}

/** Viewer children of `parent` in a stripe, those in `region` first. */
function viewerChildren(
  core: TieredCore,
  stripe: Stripe,
  parent: NodeId,
  region: string | undefined,
): NodeId[] {
  const near: NodeId[] = [];
  const far: NodeId[] = [];
  for (const child of stripe.tree.children(parent)) {
    const e = core.nodes.get(child);
    if (e?.node.role !== 'viewer') continue;
    (e.region === region ? near : far).push(child);
  }
  return [...near, ...far];
}
