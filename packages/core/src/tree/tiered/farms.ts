import type { NodeId, StreamId } from '../../protocol/index.ts';
import type { TieredCore } from './core.ts';

/** One relay of a farm. */
export interface FarmMember {
  id: NodeId;
  /** Children in this stripe. */
  children: number;
  /** Children's cost over every stream and stripe ÷ upload. */
  loadRatio: number;
  /** Still warming up (activated less than `warmupMs` ago). */
  warming: boolean;
}

/** The relays of one stripe of a stream at one tier in one region: a server farm. */
export interface FarmView {
  streamId: StreamId;
  stripe: number;
  tier: number;
  /** Region of its relays (`''`: unknown). */
  region: string;
  members: FarmMember[];
  /** Children of the farm in this stripe. */
  children: number;
  /** Highest minus lowest load ratio: 0 is a perfectly balanced farm. */
  spread: number;
}

/** The farms of a stream, stripe by stripe, shallowest tier first, then by region. */
export function farmsOf(core: TieredCore, streamId: StreamId): FarmView[] {
  const st = core.streams.get(streamId);
  if (!st) return [];
  const now = core.now();
  const out: FarmView[] = [];
  for (const stripe of st.stripes) {
    const regions = [...stripe.relays.regionKeys()].sort();
    const tiers = stripe.relays.allTiers();
    for (const tier of tiers) {
      for (const region of regions) {
        const bucket = stripe.relays.bucket(region, tier);
        if (!bucket) continue;
        const members: FarmMember[] = [];
        for (const id of [...bucket.open.values(), ...bucket.full.values()]) {
          const entry = core.nodes.get(id);
          if (!entry || !stripe.tree.isAttached(id)) continue;
          members.push({
            id,
            children: stripe.tree.childCount(id),
            loadRatio: entry.node.uploadKbps > 0 ? entry.load / entry.node.uploadKbps : 0,
            warming: (stripe.warmAt.get(id) ?? 0) > now,
          });
        }
        if (members.length === 0) continue;
        members.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        const ratios = members.map((m) => m.loadRatio);
        out.push({
          streamId,
          stripe: stripe.index,
          tier,
          region,
          members,
          children: members.reduce((n, m) => n + m.children, 0),
          spread: Math.max(...ratios) - Math.min(...ratios),
        });
      }
    }
  }
  return out;
}
