import type { NodeId } from '../../protocol/index.ts';
import type { Stripe, TieredCore, TNode, TStream } from './core.ts';
import { findRelaySlot, hasLiveHead } from './placement.ts';
import type { StripeRecorder } from './recorder.ts';

/**
 * Activates a relay in a stripe: an idle one from the pool of the first region of `regions`
 * that has one able to take `minRelayFanout` children, else the relay of that region already
 * serving elsewhere with the most room (one not yet interior in another stripe of this stream
 * first, so stripe interiors stay disjoint). It is hung in the shallowest place (see
 * {@link findRelaySlot}), or at the origin if the stripe has no head yet.
 * Returns the relay, or `undefined` when no relay could be found or placed.
 */
export function activateRelay(
  core: TieredCore,
  rec: StripeRecorder,
  st: TStream,
  stripe: Stripe,
  regions: readonly string[],
): NodeId | undefined {
  for (const region of regions) {
    const id = chooseRelay(core, st, stripe, region);
    if (id === undefined) continue;
    if (placeNewRelay(core, rec, st, stripe, id, core.regionOrder(region))) return id;
    core.offerIfIdle(id);
    return undefined; // no slot anywhere: another region's relay would not find one either
  }
  return undefined;
}

/** Relays already serving elsewhere looked at per activation (the search is cut there). */
const USED_RELAY_SCAN_LIMIT = 256;

function chooseRelay(core: TieredCore, st: TStream, stripe: Stripe, region: string): NodeId | undefined {
  const minUpload = st.cost * core.opts.minRelayFanout;
  const idle = core.pool.take(region, minUpload - 1e-6);
  if (idle !== undefined) return idle;
  const relays = core.relaysByRegion.get(region);
  // Every relay of the region already serves this stripe: nobody to add.
  if (!relays || stripe.relays.regionSize(region) >= relays.size) return undefined;
  let best: TNode | undefined;
  let bestScore = -1;
  let looked = 0;
  for (const id of relays) {
    const entry = core.nodes.get(id);
    if (!entry || entry.parentIn.size === 0) continue;
    const slots = core.freeSlots(entry, st);
    if (slots < core.opts.minRelayFanout || stripe.tree.has(id) || core.isDraining(entry, st.stream.id))
      continue;
    if (++looked > USED_RELAY_SCAN_LIMIT) break;
    // Disjoint stripe interiors first, then the most room.
    const score = (entry.parentIn.has(st.stream.id) ? 0 : 1e9) + slots;
    if (score > bestScore || (score === bestScore && best && entry.seq < best.seq)) {
      best = entry;
      bestScore = score;
    }
  }
  return best?.node.id;
}

function placeNewRelay(
  core: TieredCore,
  rec: StripeRecorder,
  st: TStream,
  stripe: Stripe,
  id: NodeId,
  regions: readonly string[],
): boolean {
  const firstInStream = !core.entry(id).memberIn.has(st.stream.id);
  core.addMember(rec, st, stripe, id);
  if (!hangRelay(core, rec, st, stripe, id, regions, false)) {
    core.removeMember(rec, st, stripe, id);
    return false;
  }
  const parent = stripe.tree.parentOf(id);
  const parentWarm = parent ? (stripe.warmAt.get(parent) ?? 0) : 0;
  core.activateParent(st, stripe, id, Math.max(core.now() + core.opts.warmupMs, parentWarm));
  if (firstInStream) rec.activate(st.stream.id, id);
  return true;
}

/**
 * Attaches the detached relay `id` (maybe with a subtree): at the origin if the stripe has no
 * head; else in the shallowest place (see {@link findRelaySlot}) — a displaced viewer moves under
 * `id`, or is placed anew if `id` is full; else at the origin as the last resort, only if
 * `lastResort`.
 */
export function hangRelay(
  core: TieredCore,
  rec: StripeRecorder,
  st: TStream,
  stripe: Stripe,
  id: NodeId,
  regions: readonly string[],
  lastResort: boolean,
  placeViewer?: (viewer: NodeId) => void,
): boolean {
  if (!hasLiveHead(core, st, stripe)) {
    core.attach(rec, st, stripe, id, null);
    return true;
  }
  const slot = findRelaySlot(core, st, stripe, id, regions);
  if (slot?.displace === undefined) {
    if (!slot && !lastResort) return false;
    core.attach(rec, st, stripe, id, slot?.parent ?? null);
    return true;
  }
  core.detach(rec, st, stripe, slot.displace);
  core.attach(rec, st, stripe, id, slot.parent);
  if (core.fits(core.entry(id), st)) core.attach(rec, st, stripe, slot.displace, id);
  else if (placeViewer) placeViewer(slot.displace);
  else core.attach(rec, st, stripe, slot.displace, null);
  return true;
}

/**
 * Promotes a watching tab to parent in a stripe: one of the first region in `regions` order that
 * has one, not yet a parent in another stripe of the stream if possible, able to take
 * `minTabFanout` children. Returns it, or `undefined`.
 */
export function activateTab(
  core: TieredCore,
  st: TStream,
  stripe: Stripe,
  regions: readonly string[],
  child: NodeId,
): NodeId | undefined {
  if (core.opts.minTabFanout <= 0 || st.capableTabs.size === 0) return undefined;
  const rank = new Map(regions.map((r, i) => [r, i]));
  let best: TNode | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const id of st.capableTabs) {
    const entry = core.nodes.get(id);
    if (
      !entry ||
      id === child ||
      !stripe.tree.isAttached(id) ||
      core.isParentIn(entry, st.stream.id, stripe.index)
    ) {
      continue;
    }
    if (core.isDraining(entry, st.stream.id) || core.freeSlots(entry, st) < core.opts.minTabFanout) continue;
    if (core.isExcluded(st.stream.id, child, id)) continue;
    const score = (rank.get(entry.region) ?? regions.length) * 2 + (entry.parentIn.has(st.stream.id) ? 1 : 0);
    if (score < bestScore) {
      best = entry;
      bestScore = score;
      if (score === 0) break;
    }
  }
  if (!best) return undefined;
  core.activateParent(st, stripe, best.node.id, core.now());
  return best.node.id;
}
