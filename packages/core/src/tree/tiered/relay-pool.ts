import { BinaryHeap } from '../../collections/index.ts';
import type { NodeId } from '../../protocol/index.ts';

interface PoolItem {
  id: NodeId;
  uploadKbps: number;
  seq: number;
}

/**
 * Relays that serve nothing, per region, biggest upload first (then earliest): the next relay
 * to activate is taken from here, so the strongest relays end up in the shallowest tiers. Entries
 * go stale when a relay is used or removed elsewhere; `take` skips those.
 */
export class RelayPool {
  private readonly heaps = new Map<string, BinaryHeap<PoolItem>>();
  private readonly queued = new Set<NodeId>();

  constructor(private readonly isIdle: (id: NodeId) => boolean) {}

  offer(id: NodeId, region: string, uploadKbps: number, seq: number): void {
    if (this.queued.has(id)) return;
    let heap = this.heaps.get(region);
    if (!heap) {
      heap = new BinaryHeap<PoolItem>((a, b) => b.uploadKbps - a.uploadKbps || a.seq - b.seq);
      this.heaps.set(region, heap);
    }
    heap.push({ id, uploadKbps, seq });
    this.queued.add(id);
  }

  /** The idle relay of `region` with the most upload, if it has at least `minUploadKbps`. */
  take(region: string, minUploadKbps: number): NodeId | undefined {
    const heap = this.heaps.get(region);
    if (!heap) return undefined;
    for (let top = heap.peek(); top; top = heap.peek()) {
      if (!this.isIdle(top.id)) {
        heap.pop();
        this.queued.delete(top.id);
        continue;
      }
      if (top.uploadKbps < minUploadKbps) return undefined;
      heap.pop();
      this.queued.delete(top.id);
      return top.id;
    }
    return undefined;
  }

  /** Upload of the best idle relay of `region` (0 when none), without taking it. */
  best(region: string): number {
    const heap = this.heaps.get(region);
    if (!heap) return 0;
    for (let top = heap.peek(); top; top = heap.peek()) {
      if (this.isIdle(top.id)) return top.uploadKbps;
      heap.pop();
      this.queued.delete(top.id);
    }
    return 0;
  }
}
