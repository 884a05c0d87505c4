import type { NodeId } from '../../protocol/index.ts';
import { IdList } from './id-list.ts';

/**
 * How much room a parent has for one more child of the stream: `open` stays at or below the
 * high-water mark with it, `busy` has room only above the mark, `full` has none.
 */
export type Room = 'open' | 'busy' | 'full';

/** The active parents of one region at one tier of a stripe tree: a farm. */
export interface Bucket {
  readonly open: IdList;
  readonly busy: IdList;
  readonly full: IdList;
  /** Round-robin position in the list being searched. */
  cursor: number;
}

interface Place {
  region: string;
  tier: number;
  room: Room;
}

/**
 * Active parents of one stripe tree, by region and tier, each open, busy or full (see
 * {@link Room}). Lets a placement look at the right farm first instead of scanning the tree.
 */
export class ParentIndex {
  private readonly regions = new Map<string, Map<number, Bucket>>();
  private readonly places = new Map<NodeId, Place>();
  private readonly perRegion = new Map<string, number>();
  /** Caches of the sorted tier lists, dropped whenever a farm appears or disappears. */
  private readonly sortedTiers = new Map<string, number[]>();
  private everyTier: number[] | undefined;

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

  /** Number of active parents in `region`. */
  regionSize(region: string): number {
    return this.perRegion.get(region) ?? 0;
  }

  add(id: NodeId, region: string, tier: number, room: Room): void {
    this.remove(id);
    const place = { region, tier, room };
    this.places.set(id, place);
    this.perRegion.set(region, (this.perRegion.get(region) ?? 0) + 1);
    this.listOf(place).add(id);
  }

  remove(id: NodeId): void {
    const place = this.places.get(id);
    if (!place) return;
    this.places.delete(id);
    this.perRegion.set(place.region, (this.perRegion.get(place.region) ?? 1) - 1);
    const tiers = this.regions.get(place.region);
    const bucket = tiers?.get(place.tier);
    if (!tiers || !bucket) return;
    bucket[place.room].remove(id);
    if (bucket.open.length === 0 && bucket.busy.length === 0 && bucket.full.length === 0) {
      this.sortedTiers.delete(place.region);
      this.everyTier = undefined;
      tiers.delete(place.tier);
      if (tiers.size === 0) this.regions.delete(place.region);
    }
  }

  setRoom(id: NodeId, room: Room): void {
    const place = this.places.get(id);
    if (!place || place.room === room) return;
    this.add(id, place.region, place.tier, room);
  }

  setTier(id: NodeId, tier: number): void {
    const place = this.places.get(id);
    if (!place || place.tier === tier) return;
    this.add(id, place.region, tier, place.room);
  }

  /** Regions that have active parents. */
  regionKeys(): IterableIterator<string> {
    return this.regions.keys();
  }

  /** Tiers of `region` that have active parents, shallowest first. */
  tiersOf(region: string): readonly number[] {
    let sorted = this.sortedTiers.get(region);
    if (!sorted) {
      const tiers = this.regions.get(region);
      sorted = tiers ? [...tiers.keys()].sort((a, b) => a - b) : [];
      this.sortedTiers.set(region, sorted);
    }
    return sorted;
  }

  /** Every tier that has active parents in any region, shallowest first. */
  allTiers(): readonly number[] {
    if (!this.everyTier) {
      const all = new Set<number>();
      for (const tiers of this.regions.values()) for (const t of tiers.keys()) all.add(t);
      this.everyTier = [...all].sort((a, b) => a - b);
    }
    return this.everyTier;
  }

  bucket(region: string, tier: number): Bucket | undefined {
    return this.regions.get(region)?.get(tier);
  }

  private listOf(place: Place): IdList {
    let tiers = this.regions.get(place.region);
    if (!tiers) this.regions.set(place.region, (tiers = new Map()));
    let bucket = tiers.get(place.tier);
    if (!bucket) {
      this.sortedTiers.delete(place.region);
      this.everyTier = undefined;
      bucket = { open: new IdList(), busy: new IdList(), full: new IdList(), cursor: 0 };
      tiers.set(place.tier, bucket);
    }
    return bucket[place.room];
  }
}
