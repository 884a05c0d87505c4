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
 * viewers, a relay is activated (near it) and takes `distributeShare` of those viewers; with no
 * relay left to activate, they move to other warm parents of its region with room instead.
 * Returns whether anything moved.
 */
export function distribute(core: TieredCore, rec: StripeRecorder, nodeId: NodeId): boolean {
  const entry = core.entry(nodeId);
  let best: { st: TStream; stripe: Stripe; kids: number } | undefined;
  for (const [streamId, stripes] of entry.parentIn) {
    const st = core.streams.get(streamId);
    for (const i of stripes) {
      const stripe = st?.stripes[i];
      const kids = stripe?.viewerKids.get(nodeId) ?? 0;
      if (st && stripe && kids > (best?.kids ?? 1)) best = { st, stripe, kids };
    }
  }
  if (!best) return false;
  const { st, stripe, kids } = best;
  const share = Math.floor(kids * core.opts.distributeShare);
  const relay = activateRelay(core, rec, st, stripe, core.regionOrder(entry.region));
  // Draining while the viewers move, so that none lands back on the node.
  return withDraining(entry, st.stream.id, () => {
    const viewers = viewerChildren(core, stripe, nodeId, relay && core.entry(relay).region);
    let moved = 0;
    for (const child of viewers) {
      if (moved >= share) break;
      let target: NodeId | undefined = relay;
      if (target === undefined || !core.fits(core.entry(target), st)) {
        target = findViewerParent(core, st, stripe, stripe.relays, [entry.region], child).warm;
      }
      if (target === undefined) break;
      core.detach(rec, st, stripe, child);
      core.attach(rec, st, stripe, child, target);
      moved++;
    }
    return moved > 0 || relay !== undefined;
  });
}

/**
 * *Consolidate*: `nodeId` is under its low-water mark. In every stripe it serves, if it has been
 * active for `minActiveMs`, and the other relays of the stripe have room for its children plus
 * the viewers the last `provision` asked for, its children move to them first and it is then
 * deactivated (released from streams it no longer serves). Returns the stripes it left.
 */
export function consolidate(core: TieredCore, rec: StripeRecorder, nodeId: NodeId): number {
  const entry = core.entry(nodeId);
  const now = core.now();
  let left = 0;
  for (const [streamId, stripes] of [...entry.parentIn]) {
    const st = core.stream(streamId);
    for (const i of [...stripes]) {
      const stripe = st.stripes[i];
      if (!stripe) continue;
      if ((stripe.activatedAt.get(nodeId) ?? now) + core.opts.minActiveMs > now) continue;
      const children = stripe.tree.childCount(nodeId);
      const reserve = Math.max(0, st.provisioned - st.viewers.size);
      const elsewhere = stripe.freeTotal() - (stripe.free.get(nodeId) ?? 0);
      if (elsewhere < children + reserve) continue;
      withDraining(entry, streamId, () => {
        placeOrphans(core, rec, st, stripe, core.detachChildren(rec, st, stripe, nodeId));
      });
      if (entry.node.role === 'relay') core.removeMember(rec, st, stripe, nodeId);
      else core.deactivateParent(st, stripe, nodeId);
      left++;
    }
    if (entry.node.role === 'relay' && !entry.memberIn.has(streamId)) rec.release(streamId, nodeId);
  }
  core.offerIfIdle(nodeId);
  return left;
}

/**
 * Activates relays ahead of the load: makes each stripe of `streamId` have free relay slots for
 * `expectedViewers` (the forecast for the coming period) plus the margin, per region in
 * proportion to where its viewers are now. Remembers the figure, so `consolidate` keeps that
 * capacity. Does nothing for a stream nobody watches yet. Returns the relays activated.
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
  const growth = expectedViewers - viewers;
  if (viewers === 0 || growth <= 0) return 0;
  let activated = 0;
  for (const stripe of st.stripes) {
    for (const [region, count] of st.viewersByRegion) {
      const need = Math.ceil((count / viewers) * growth * (1 + core.opts.provisionMargin));
      let credit = 0;
      for (let n = 0; n < MAX_ACTIVATIONS_PER_PROVISION; n++) {
        if ((stripe.freeByRegion.get(region) ?? 0) + credit >= need) break;
        const relay = activateRelay(core, rec, st, stripe, core.regionOrder(region));
        if (relay === undefined) break;
        activated++;
        const relayEntry = core.entry(relay);
        if (relayEntry.region !== region) credit += core.freeSlots(relayEntry, st);
      }
    }
  }
  return activated;
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
