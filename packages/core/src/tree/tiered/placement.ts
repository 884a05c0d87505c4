import type { NodeId } from '../../protocol/index.ts';
import type { Stripe, TieredCore, TStream } from './core.ts';
import type { Bucket, ParentIndex } from './parent-index.ts';
import type { IdList } from './id-list.ts';

/** Farms up to this size are searched exhaustively for the least-loaded parent; larger ones are sampled. */
const LEAST_LOAD_EXACT = 16;
/** Random probes into a large farm (the power of d choices: close to least load at a fixed cost). */
const LEAST_LOAD_SAMPLES = 6;

/** The best parents one search found: a warm one, or failing that the one warm soonest. */
export interface Found {
  warm?: NodeId;
  warming?: NodeId;
  warmingAt?: number;
}

/** Whether `parent` may take `child` in a stripe right now. */
export function canParent(
  core: TieredCore,
  st: TStream,
  stripe: Stripe,
  parent: NodeId,
  child: NodeId,
): boolean {
  if (parent === child || !stripe.tree.isAttached(parent)) return false;
  const entry = core.nodes.get(parent);
  if (!entry || core.isDraining(entry, st.stream.id) || !core.fits(entry, st)) return false;
  return !core.isExcluded(st.stream.id, child, parent);
}

/**
 * A parent for a viewer (or a promoted tab with its subtree) among `index`'s parents in
 * `regions`, in that order, taking only parents whose room is `room` (`open`: they stay under
 * the high-water mark; `busy`: they have room above it). In each region the deepest farm comes
 * first (shallow slots are kept for relays); the first warm parent found wins (chosen in its
 * farm by the farm policy); otherwise `found` notes the parent that will be warm soonest.
 */
export function findViewerParent(
  core: TieredCore,
  st: TStream,
  stripe: Stripe,
  index: ParentIndex,
  regions: readonly string[],
  child: NodeId,
  room: 'open' | 'busy',
  found: Found = {},
): Found {
  const now = core.now();
  for (const region of regions) {
    const tiers = index.tiersOf(region);
    for (let t = tiers.length - 1; t >= 0; t--) {
      const bucket = index.bucket(region, tiers[t] as number);
      if (!bucket || bucket[room].length === 0) continue;
      const warm = pickInFarm(core, st, stripe, bucket, bucket[room], child, now, found);
      if (warm !== undefined) {
        found.warm = warm;
        return found;
      }
    }
  }
  return found;
}

/** One warm parent of a farm's list by the farm policy; notes the soonest-warm one in `found`. */
function pickInFarm(
  core: TieredCore,
  st: TStream,
  stripe: Stripe,
  bucket: Bucket,
  list: IdList,
  child: NodeId,
  now: number,
  found: Found,
): NodeId | undefined {
  const n = list.length;
  if (core.opts.farmPolicy === 'round-robin' || n > LEAST_LOAD_EXACT) {
    if (core.opts.farmPolicy !== 'round-robin') {
      let best: NodeId | undefined;
      let bestRatio = Number.POSITIVE_INFINITY;
      for (let k = 0; k < LEAST_LOAD_SAMPLES; k++) {
        const id = list.at(Math.floor(core.opts.random() * n)) as NodeId;
        const ratio = warmRatio(core, st, stripe, id, child, now, found);
        if (ratio < bestRatio) {
          best = id;
          bestRatio = ratio;
        }
      }
      // Every probe hit a parent still warming up (or unusable): the next usable one in turn.
      if (best !== undefined) return best;
    }
    const start = bucket.cursor % n;
    for (let k = 0; k < n; k++) {
      const i = (start + k) % n;
      const id = list.at(i) as NodeId;
      if (warmRatio(core, st, stripe, id, child, now, found) < Number.POSITIVE_INFINITY) {
        bucket.cursor = i + 1;
        return id;
      }
    }
    return undefined;
  }
  let best: NodeId | undefined;
  let bestRatio = Number.POSITIVE_INFINITY;
  let bestSeq = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const id = list.at(i) as NodeId;
    const ratio = warmRatio(core, st, stripe, id, child, now, found);
    if (ratio === Number.POSITIVE_INFINITY) continue;
    const seq = core.nodes.get(id)?.seq ?? 0;
    if (ratio < bestRatio || (ratio === bestRatio && seq < bestSeq)) {
      best = id;
      bestRatio = ratio;
      bestSeq = seq;
    }
  }
  return best;
}

/**
 * The load ratio of `id` if it is a warm parent that may take `child`; `Infinity` otherwise
 * (noting it in `found` if it only has to warm up).
 */
function warmRatio(
  core: TieredCore,
  st: TStream,
  stripe: Stripe,
  id: NodeId,
  child: NodeId,
  now: number,
  found: Found,
): number {
  if (!canParent(core, st, stripe, id, child)) return Number.POSITIVE_INFINITY;
  const at = stripe.warmAt.get(id) ?? 0;
  if (at > now) {
    if (found.warmingAt === undefined || at < found.warmingAt) {
      found.warming = id;
      found.warmingAt = at;
    }
    return Number.POSITIVE_INFINITY;
  }
  const entry = core.nodes.get(id);
  return entry && entry.node.uploadKbps > 0 ? entry.load / entry.node.uploadKbps : 1;
}

/** Where a relay can go: under `parent`, in a free slot or (with `displace`) in a viewer's place. */
export interface RelaySlot {
  parent: NodeId;
  /** A viewer child of `parent` whose place the relay takes; the viewer then hangs under the relay. */
  displace?: NodeId;
}

/**
 * The shallowest place for a relay, so relays fill the upper tiers and viewers sink below them
 * (which keeps depth near ⌈log_f N⌉ + 1). At each tier, shallowest first: a free slot of a relay
 * of `regions[0]`, then of the other regions in order; failing those, the place of a viewer
 * child (one of `regions[0]` if there is one) of a relay of `regions[0]`, then of the other
 * regions. Returns `undefined` when no relay has a free slot or a viewer child.
 */
export function findRelaySlot(
  core: TieredCore,
  st: TStream,
  stripe: Stripe,
  relay: NodeId,
  regions: readonly string[],
): RelaySlot | undefined {
  for (const tier of stripe.relays.allTiers()) {
    for (const region of regions) {
      const bucket = stripe.relays.bucket(region, tier);
      if (!bucket) continue;
      for (const list of [bucket.open, bucket.busy]) {
        for (let i = 0; i < list.length; i++) {
          const id = list.at(i) as NodeId;
          if (canParent(core, st, stripe, id, relay)) return { parent: id };
        }
      }
    }
    for (const region of regions) {
      const bucket = stripe.relays.bucket(region, tier);
      if (!bucket) continue;
      for (const list of [bucket.full, bucket.busy, bucket.open]) {
        for (let i = 0; i < list.length; i++) {
          const id = list.at(i) as NodeId;
          if (id === relay || !stripe.viewerKids.has(id) || !stripe.tree.isAttached(id)) continue;
          const entry = core.nodes.get(id);
          if (!entry || core.isDraining(entry, st.stream.id) || core.isExcluded(st.stream.id, relay, id))
            continue;
          const child = viewerChildOf(core, stripe, id, regions[0]);
          if (child !== undefined) return { parent: id, displace: child };
        }
      }
    }
  }
  return undefined;
}

function viewerChildOf(
  core: TieredCore,
  stripe: Stripe,
  parent: NodeId,
  region: string | undefined,
): NodeId | undefined {
  let any: NodeId | undefined;
  for (const child of stripe.tree.children(parent)) {
    const entry = core.nodes.get(child);
    if (entry?.node.role !== 'viewer') continue;
    if (entry.region === region) return child;
    any ??= child;
  }
  return any;
}

/** Whether a stripe has a relay fed by the origin that still takes children. */
export function hasLiveHead(core: TieredCore, st: TStream, stripe: Stripe): boolean {
  for (const id of stripe.heads) {
    const entry = core.nodes.get(id);
    if (entry && !core.isDraining(entry, st.stream.id)) return true;
  }
  return false;
}
