import type { NodeId } from '../../protocol/index.ts';
import { placeViewer } from './attach.ts';
import type { Stripe, TieredCore, TStream } from './core.ts';
import { canParent, findRelaySlot, type RelaySlot } from './placement.ts';
import type { StripeRecorder } from './recorder.ts';

/**
 * Heads of stripes 1…k−1 fed through stripe 0. The data plane moves whole segments (a relay
 * pulls everything from its parents, or from the origin when it is told `origin: true`), so a
 * head per stripe fed by the origin would cost it k copies. Instead only stripe 0's head is fed by
 * the origin; the head of every other stripe joins stripe 0's tree as a *leaf* under a stripe-0
 * relay (its feeder: the shallowest one with room, nearest first), gets the whole stream from
 * it, and is not origin-fed. As a leaf there it stays interior in its own stripe only, so stripe
 * interiors stay disjoint. A head is fed by the origin only while stripe 0 has no room for it.
 *
 * {@link syncHeadFeeds} runs at the end of every planner operation and keeps this true, whatever
 * the operation did: a new head gets its feed, a relay that stopped heading a stripe loses it
 * (and is released if it serves nothing else), and a feed whose feeder left, failed or became
 * unsafe is re-placed. Placement elsewhere leaves a fed head detached in stripe 0 (`placeRelay`)
 * for this function to place.
 */
export function syncHeadFeeds(core: TieredCore, rec: StripeRecorder, st: TStream): void {
  const stripe0 = st.stripes[0];
  if (!stripe0 || st.stripes.length < 2) return;
  for (const id of [...st.fedHeads]) {
    if (!core.nodes.has(id) || !stripe0.tree.has(id) || !headsOtherStripe(st, id)) {
      dropFeed(core, rec, st, stripe0, id);
      continue;
    }
    const feeder = stripe0.tree.parentOf(id);
    if (feeder !== undefined && feeder !== null && isSafeFeeder(core, st, id, feeder)) continue;
    core.detach(rec, st, stripe0, id);
    placeFeed(core, rec, st, stripe0, id, true);
  }
  for (const id of [...st.unfedHeads]) if (!headsOtherStripe(st, id)) st.unfedHeads.delete(id);
  for (const stripe of st.stripes) {
    if (stripe.index === 0) continue;
    for (const id of [...stripe.heads]) {
      // A head that is also a relay of stripe 0 (only when relays are short) stays origin-fed: one
      // copy, shared with stripe 0 if it heads that too.
      if (stripe0.tree.has(id)) continue;
      const entry = core.nodes.get(id);
      if (!entry || core.isDraining(entry, st.stream.id)) continue;
      // Retries look for a free slot only: cheap (full relays are not scanned), and no viewer moves.
      const retry = st.unfedHeads.has(id);
      core.addMember(rec, st, stripe0, id);
      st.fedHeads.add(id);
      if (placeFeed(core, rec, st, stripe0, id, !retry)) st.unfedHeads.delete(id);
      else st.unfedHeads.add(id);
    }
  }
}

/** Whether `id` is the head of a stripe other than stripe 0. */
function headsOtherStripe(st: TStream, id: NodeId): boolean {
  for (const stripe of st.stripes) if (stripe.index > 0 && stripe.heads.has(id)) return true;
  return false;
}

/**
 * Attaches the detached fed head `id` in stripe 0: in the shallowest free slot of a safe feeder,
 * nearest region first; failing that (with `displace`), in the place of a viewer child of a
 * relay, the viewer being placed anew. If nothing fits, the head leaves stripe 0 and is fed by
 * the origin. Returns whether it was placed.
 */
function placeFeed(
  core: TieredCore,
  rec: StripeRecorder,
  st: TStream,
  stripe0: Stripe,
  id: NodeId,
  displace: boolean,
): boolean {
  const regions = core.regionOrder(core.entry(id).region);
  let slot: RelaySlot | undefined = freeFeedSlot(core, st, stripe0, id, regions);
  if (!slot && displace) {
    const found = findRelaySlot(core, st, stripe0, id, regions);
    if (found && isSafeFeeder(core, st, id, found.parent)) slot = found;
  }
  if (!slot) {
    dropFeed(core, rec, st, stripe0, id);
    return false;
  }
  if (slot.displace === undefined) {
    core.attach(rec, st, stripe0, id, slot.parent);
    return true;
  }
  core.detach(rec, st, stripe0, slot.displace);
  core.attach(rec, st, stripe0, id, slot.parent);
  placeViewer(core, rec, st, stripe0, slot.displace);
  return true;
}

/** The shallowest stripe-0 relay (nearest region first at each tier) that may feed `id` now. */
function freeFeedSlot(
  core: TieredCore,
  st: TStream,
  stripe0: Stripe,
  id: NodeId,
  regions: readonly string[],
): RelaySlot | undefined {
  for (const tier of stripe0.relays.allTiers()) {
    for (const region of regions) {
      const bucket = stripe0.relays.bucket(region, tier);
      if (!bucket) continue;
      for (const list of [bucket.open, bucket.busy]) {
        for (let i = 0; i < list.length; i++) {
          const parent = list.at(i) as NodeId;
          if (canParent(core, st, stripe0, parent, id) && isSafeFeeder(core, st, id, parent))
            return { parent };
        }
      }
    }
  }
  return undefined;
}

/**
 * Whether `feeder` can feed the head `id` without a loop in the data plane: neither the feeder nor
 * any relay above it in stripe 0 may be in a stripe `id` is in (it could be fed by `id` there),
 * stripe 0's head excepted, which the origin feeds whatever else it is.
 */
function isSafeFeeder(core: TieredCore, st: TStream, id: NodeId, feeder: NodeId): boolean {
  const stripe0 = st.stripes[0];
  if (!stripe0 || !core.nodes.has(feeder)) return false;
  const mine = st.stripes.filter((s) => s.index > 0 && s.tree.has(id));
  let p: NodeId = feeder;
  for (let hops = 0; hops <= stripe0.tree.size; hops++) {
    const up = stripe0.tree.parentOf(p);
    if (up === null) return true;
    if (up === undefined) return false;
    for (const stripe of mine) if (stripe.tree.has(p)) return false;
    p = up;
  }
  return false;
}

/** Takes the fed head `id` out of stripe 0; releases it if it serves nothing of the stream any more. */
function dropFeed(core: TieredCore, rec: StripeRecorder, st: TStream, stripe0: Stripe, id: NodeId): void {
  st.fedHeads.delete(id);
  core.removeMember(rec, st, stripe0, id);
  const entry = core.nodes.get(id);
  if (entry?.node.role === 'relay' && !entry.memberIn.has(st.stream.id)) rec.release(st.stream.id, id);
  core.offerIfIdle(id);
}
