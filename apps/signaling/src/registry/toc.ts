import type { NodeId, SegmentKey, StreamId } from '@p2pcdn/core';

/**
 * The table of contents: which node holds which segment of which stream, from the nodes' `have`
 * reports. Each node keeps at most `maxKeysPerNode` keys per stream (its oldest reports are
 * forgotten first), so a node cannot grow the coordinator's memory without bound.
 */
export class TableOfContents {
  private readonly holdersByStream = new Map<StreamId, Map<SegmentKey, Set<NodeId>>>();
  /** Per node and stream, keys in the order they were reported (a Set keeps insertion order). */
  private readonly keysByNode = new Map<NodeId, Map<StreamId, Set<SegmentKey>>>();

  constructor(private readonly maxKeysPerNode = 4096) {}

  /** Applies one `have` report. */
  update(
    streamId: StreamId,
    nodeId: NodeId,
    added: readonly SegmentKey[],
    removed: readonly SegmentKey[],
  ): void {
    for (const key of removed) this.drop(streamId, nodeId, key);
    let perStream = this.keysByNode.get(nodeId);
    if (!perStream) this.keysByNode.set(nodeId, (perStream = new Map()));
    let keys = perStream.get(streamId);
    if (!keys) perStream.set(streamId, (keys = new Set()));
    let holders = this.holdersByStream.get(streamId);
    if (!holders) this.holdersByStream.set(streamId, (holders = new Map()));
    for (const key of added) {
      keys.delete(key); // re-reported keys become the newest
      keys.add(key);
      let set = holders.get(key);
      if (!set) holders.set(key, (set = new Set()));
      set.add(nodeId);
    }
    while (keys.size > this.maxKeysPerNode) {
      const oldest = keys.values().next().value;
      if (oldest === undefined) break;
      this.drop(streamId, nodeId, oldest);
    }
  }

  /** Nodes that hold segment `key` of `streamId`. */
  holders(streamId: StreamId, key: SegmentKey): NodeId[] {
    return [...(this.holdersByStream.get(streamId)?.get(key) ?? [])];
  }

  /** Whether `nodeId` reported holding segment `key` of `streamId`. */
  has(streamId: StreamId, nodeId: NodeId, key: SegmentKey): boolean {
    return this.keysByNode.get(nodeId)?.get(streamId)?.has(key) ?? false;
  }

  /** Number of keys `nodeId` holds of `streamId`. */
  countOf(nodeId: NodeId, streamId: StreamId): number {
    return this.keysByNode.get(nodeId)?.get(streamId)?.size ?? 0;
  }

  /** Number of distinct segments anyone holds of `streamId`. */
  segmentCount(streamId: StreamId): number {
    return this.holdersByStream.get(streamId)?.size ?? 0;
  }

  /** Nodes holding anything of `streamId`, with how many keys each. */
  nodesOf(streamId: StreamId): Array<{ nodeId: NodeId; segments: number }> {
    const out: Array<{ nodeId: NodeId; segments: number }> = [];
    for (const [nodeId, perStream] of this.keysByNode) {
      const count = perStream.get(streamId)?.size ?? 0;
      if (count > 0) out.push({ nodeId, segments: count });
    }
    return out;
  }

  dropNode(nodeId: NodeId): void {
    const perStream = this.keysByNode.get(nodeId);
    if (!perStream) return;
    for (const [streamId, keys] of perStream) for (const key of [...keys]) this.drop(streamId, nodeId, key);
    this.keysByNode.delete(nodeId);
  }

  dropStream(streamId: StreamId): void {
    this.holdersByStream.delete(streamId);
    for (const [nodeId, perStream] of this.keysByNode) {
      perStream.delete(streamId);
      if (perStream.size === 0) this.keysByNode.delete(nodeId);
    }
  }

  private drop(streamId: StreamId, nodeId: NodeId, key: SegmentKey): void {
    const perStream = this.keysByNode.get(nodeId);
    const keys = perStream?.get(streamId);
    keys?.delete(key);
    if (keys?.size === 0) perStream?.delete(streamId);
    if (perStream?.size === 0) this.keysByNode.delete(nodeId);
    const holders = this.holdersByStream.get(streamId);
    const set = holders?.get(key);
    set?.delete(nodeId);
    if (set?.size === 0) holders?.delete(key);
    if (holders?.size === 0) this.holdersByStream.delete(streamId);
  }
}
