import type { Region } from '../../protocol/index.ts';

/** Region key of nodes that did not say where they are. */
export const NO_REGION = '';

/** A region first, then the others it would fetch from, nearest first. */
export interface RegionSplit {
  /** `[region]`. */
  local: readonly string[];
  /** Every other known region, nearest first. */
  others: readonly string[];
}

/**
 * The regions nodes have named, and for each the order in which to look for parents: itself,
 * then the others by measured RTT (unknown pairs last, then by name). Orders are cached until a
 * new region appears.
 */
export class RegionOrder {
  private readonly known = new Set<string>();
  private readonly orders = new Map<string, string[]>();
  private readonly splits = new Map<string, RegionSplit>();

  constructor(private readonly rttMs: ((a: Region, b: Region) => number | undefined) | undefined) {}

  /** Notes a node's region. */
  see(region: string): void {
    if (this.known.has(region)) return;
    this.known.add(region);
    this.orders.clear();
    this.splits.clear();
  }

  /** `region` first, then every other known region, nearest first. */
  of(region: string): readonly string[] {
    let order = this.orders.get(region);
    if (order) return order;
    const rtt = this.rttMs;
    const distance = (other: string): number =>
      (rtt && region !== NO_REGION && other !== NO_REGION ? rtt(region, other) : undefined) ??
      Number.POSITIVE_INFINITY;
    order = [
      region,
      ...[...this.known]
        .filter((r) => r !== region)
        .sort((a, b) => distance(a) - distance(b) || (a < b ? -1 : a > b ? 1 : 0)),
    ];
    this.orders.set(region, order);
    return order;
  }

  /** {@link of}, cut into the region itself and the others. */
  split(region: string): RegionSplit {
    let split = this.splits.get(region);
    if (!split) {
      const order = this.of(region);
      split = { local: order.slice(0, 1), others: order.slice(1) };
      this.splits.set(region, split);
    }
    return split;
  }
}
