import type { NodeId } from '../../protocol/index.ts';
import { activateRelay, activateTab, hangRelay } from './activation.ts';
import type { Stripe, TieredCore, TStream } from './core.ts';
import type { ParentIndex } from './parent-index.ts';
import { findViewerParent, hasLiveHead } from './placement.ts';
import type { StripeRecorder } from './recorder.ts';

/**
 * Attaches the detached viewer `id` (with its subtree, if it is a promoted tab) in a stripe.
 * In order: a warm relay of its own region under its high-water mark (deepest farm, by the farm
 * policy); one above the mark with room left; one still warming up; a relay of its region
 * activated now; the same in other regions, nearest first; a promoted tab; a tab promoted now;
 * the origin. Starts the stripe's head first if it has none (near the origin's region when the
 * stream names one).
 */
export function placeViewer(
  core: TieredCore,
  rec: StripeRecorder,
  st: TStream,
  stripe: Stripe,
  id: NodeId,
): void {
  const region = core.entry(id).region;
  const order = core.regionOrder(region);
  if (!hasLiveHead(core, st, stripe)) {
    activateRelay(core, rec, st, stripe, core.regionOrder(st.stream.region ?? region));
  }
  const { local, others } = core.regionSplit(region);
  let parent =
    nearest(core, st, stripe, stripe.relays, local, id) ?? activateRelay(core, rec, st, stripe, local);
  if (parent === undefined) {
    parent =
      nearest(core, st, stripe, stripe.relays, others, id) ?? activateRelay(core, rec, st, stripe, others);
  }
  if (parent === undefined && core.opts.minTabFanout > 0) {
    parent = nearest(core, st, stripe, stripe.tabs, order, id) ?? activateTab(core, st, stripe, order, id);
  }
  core.attach(rec, st, stripe, id, parent ?? null);
}

/** A warm parent under the high-water mark, else a warm one above it, else the soonest warm. */
function nearest(
  core: TieredCore,
  st: TStream,
  stripe: Stripe,
  index: ParentIndex,
  regions: readonly string[],
  child: NodeId,
): NodeId | undefined {
  const found = findViewerParent(core, st, stripe, index, regions, child, 'open');
  if (found.warm !== undefined) return found.warm;
  return findViewerParent(core, st, stripe, index, regions, child, 'busy', found).warm ?? found.warming;
}

/**
 * Attaches a detached relay with its subtree (see {@link hangRelay}); the origin as the last resort.
 * A head fed through stripe 0 is left detached there, for `syncHeadFeeds` to place.
 */
export function placeRelay(
  core: TieredCore,
  rec: StripeRecorder,
  st: TStream,
  stripe: Stripe,
  id: NodeId,
): void {
  if (stripe.index === 0 && st.fedHeads.has(id)) return;
  const region = core.entry(id).region;
  hangRelay(core, rec, st, stripe, id, core.regionOrder(region), true, (viewer) =>
    placeViewer(core, rec, st, stripe, viewer),
  );
}

/** Places detached subtrees: relays first (most upload first), then viewers by arrival. */
export function placeOrphans(
  core: TieredCore,
  rec: StripeRecorder,
  st: TStream,
  stripe: Stripe,
  orphans: readonly NodeId[],
): void {
  const entries = orphans
    .map((id) => core.nodes.get(id))
    .filter((e) => e !== undefined && stripe.tree.has(e.node.id) && !stripe.tree.isAttached(e.node.id));
  entries.sort((a, b) => {
    if (!a || !b) return 0;
    if (a.node.role !== b.node.role) return a.node.role === 'relay' ? -1 : 1;
    if (a.node.role === 'relay') return b.node.uploadKbps - a.node.uploadKbps || a.seq - b.seq;
    return a.seq - b.seq;
  });
  for (const entry of entries) {
    if (!entry) continue;
    if (entry.node.role === 'relay') placeRelay(core, rec, st, stripe, entry.node.id);
    else placeViewer(core, rec, st, stripe, entry.node.id);
  }
}

/**
 * Moves viewers the origin feeds directly under peers, earliest first, while that works; stops
 * at the first one that lands on the origin again (there is no capacity left) or after `limit`.
 */
export function adoptOriginFed(
  core: TieredCore,
  rec: StripeRecorder,
  st: TStream,
  stripe: Stripe,
  limit = Number.POSITIVE_INFINITY,
): void {
  if (stripe.originFed.size === 0) return;
  const fed = [...stripe.originFed].sort(
    (a, b) => (core.nodes.get(a)?.seq ?? 0) - (core.nodes.get(b)?.seq ?? 0),
  );
  let tried = 0;
  for (const id of fed) {
    if (tried++ >= limit) return;
    core.detach(rec, st, stripe, id);
    placeViewer(core, rec, st, stripe, id);
    if (stripe.tree.parentOf(id) === null) return;
  }
}
