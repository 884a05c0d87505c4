import type { NodeId } from '../../protocol/index.ts';
import { IdList } from './id-list.ts';

/** The active parents of one region at one tier of a stripe tree: a farm. */
export interface Bucket {
  /** Parents with room for one more child of this stream. */
  readonly open: IdList;
  /** Parents without room. */
  readonly full: IdList;
  /** Round-robin position in `open`. */
  cursor: number;
}

interface Place {
  region: string;
  tier: number;
  open: boolean;
}

/**
 * Active parents of one stripe tree, by region and tier, each either open (room for a child) or
 * full. Lets a placement look at the right farm first instead of scanning the whole tree.
 */
export class ParentIndex {
  private readonly regions = new Map<string, Map<number, Bucket>>();
  private readonly places = new Map<NodeId, Place>();

  get size(): number {
    return this.places.size;
  }

  has(id: NodeId): boolean {
    return this.places.has(id);
  }

  ids(): IterableIterator<NodeId> {
    return this.places.keys();
  }

  regionOf(id: NodeId): string | undefined {
    return this.places.get(id)?.region;
  }

  add(id: NodeId, region: string, tier: number, open: boolean): void {
    this.remove(id);
    const place = { region, tier, open };
    this.places.set(id, place);
    this.listOf(place).add(id);
  }

  remove(id: NodeId): void {
    const place = this.places.get(id);
    if (!place) return;
    this.places.delete(id);
    const tiers = this.regions.get(place.region);
    const bucket = tiers?.get(place.tier);
    if (!tiers || !bucket) return;
    (place.open ? bucket.open : bucket.full).remove(id);
    if (bucket.open.length === 0 && bucket.full.length === 0) {
      tiers.delete(place.tier);
      if (tiers.size === 0) this.regions.delete(place.region);
    }
  }

  setOpen(id: NodeId, open: boolean): void {
    const place = this.places.get(id);
    if (!place || place.open === open) return;
    this.add(id, place.region, place.tier, open);
  }

  setTier(id: NodeId, tier: number): void {
    const place = this.places.get(id);
    if (!place || place.tier === tier) return;
    this.add(id, place.region, tier, place.open);
  }

  /** Regions that have active parents. */
  regionKeys(): IterableIterator<string> {
    return this.regions.keys();
  }

  /** Tiers of `region` that have active parents, shallowest first. */
  tiersOf(region: string): number[] {
    const tiers = this.regions.get(region);
    return tiers ? [...tiers.keys()].sort((a, b) => a - b) : [];
  }

  /** Every tier that has active parents in any region, shallowest first. */
  allTiers(): number[] {
    const all = new Set<number>();
    for (const tiers of this.regions.values()) for (const t of tiers.keys()) all.add(t);
    return [...all].sort((a, b) => a - b);
  }

  bucket(region: string, tier: number): Bucket | undefined {
    return this.regions.get(region)?.get(tier);
  }

  private listOf(place: Place): IdList {
    let tiers = this.regions.get(place.region);
    if (!tiers) this.regions.set(place.region, (tiers = new Map()));
    let bucket = tiers.get(place.tier);
    if (!bucket) tiers.set(place.tier, (bucket = { open: new IdList(), full: new IdList(), cursor: 0 }));
    return place.open ? bucket.open : bucket.full;
  }
}
