import {
  DEFAULT_TOC_HOLDERS,
  type NodeId,
  type SegmentKey,
  type StreamId,
  type TocAnswer,
  type TocHolder,
} from '@p2pcdn/core';
import { SignalingError } from '../errors.ts';
import type { NodeRecord } from '../registry/node-registry.ts';
import type { Coordinator } from './coordinator.ts';

/** "Who can serve `streamId` from segment `from`?" */
export interface TocQuestion {
  streamId: StreamId;
  /** Media sequence number. */
  from: number;
  /** Holders to list at most (default {@link DEFAULT_TOC_HOLDERS}). */
  limit?: number | undefined;
  /** The node asking, left out of the answer. */
  asker?: NodeId;
}

/** A holder's throughput figures, from its heartbeats and its declared capacity. */
export interface Throughput {
  upKbps: number;
  measuredMs: number;
  capKbps: number;
  spareKbps: number;
}

/**
 * What `node` measurably sends (its links' `bytesOut` over the throughput window) and how much
 * of the upload it declared is left: `capKbps` is the planner's budget for it (a viewer's claim
 * is capped), `spareKbps` the cap minus the measured rate, never below 0.
 */
export function throughputOf(c: Coordinator, node: NodeRecord): Throughput {
  const rate = node.traffic.linkUpload.rate();
  const upKbps = rate ? (rate.bytesPerSecond * 8) / 1000 : 0;
  const capKbps = c.planner.node(node.id)?.uploadKbps ?? node.capacity.uploadKbps;
  return {
    upKbps: round1(upKbps),
    measuredMs: Math.round(rate?.spanMs ?? 0),
    capKbps,
    spareKbps: round1(Math.max(0, capKbps - upKbps)),
  };
}

/**
 * Answers a table-of-contents question. Segment numbers come from the stream's playlist (see
 * {@link SequenceFeed}); a node counts as a holder of `from` when it reported one of the keys that
 * carry `from`, and `through` says how far its run of consecutive segments goes. Holders are
 * ranked by spare upload, then measured upload, then run length, then id. Throws a
 * `SignalingError` (`unknown-stream`, `unavailable`) before it changes anything.
 */
export async function answerToc(c: Coordinator, q: TocQuestion): Promise<TocAnswer> {
  const stream = c.streams.get(q.streamId);
  if (!stream) throw new SignalingError('unknown-stream', `no stream "${q.streamId}" is registered`);
  await c.sequences.ready(stream);
  if (c.streams.get(q.streamId) !== stream) {
    throw new SignalingError('unknown-stream', `stream "${q.streamId}" was removed meanwhile`);
  }
  const index = c.sequences.index;
  const keys = index.keysAt(stream.id, q.from);
  const holderIds = new Set<NodeId>();
  for (const key of keys) for (const id of c.toc.holders(stream.id, key)) holderIds.add(id);
  if (q.asker !== undefined) holderIds.delete(q.asker);

  const ranked: Array<{ node: NodeRecord; throughput: Throughput; through: number }> = [];
  for (const id of holderIds) {
    const node = c.nodes.get(id);
    if (!node) continue;
    ranked.push({ node, throughput: throughputOf(c, node), through: runEnd(c, stream.id, id, q.from) });
  }
  ranked.sort(
    (a, b) =>
      b.throughput.spareKbps - a.throughput.spareKbps ||
      b.throughput.upKbps - a.throughput.upKbps ||
      b.through - a.through ||
      a.node.id.localeCompare(b.node.id),
  );
  const holders = ranked
    .slice(0, q.limit ?? DEFAULT_TOC_HOLDERS)
    .map(({ node, throughput, through }): TocHolder => ({
      nodeId: node.id,
      role: node.role,
      name: node.name,
      region: node.region,
      through,
      segments: c.toc.countOf(node.id, stream.id),
      ...throughput,
      inTree: c.planner.member(stream.id, node.id) !== undefined,
    }));
  const range = index.range(stream.id);
  return {
    streamId: stream.id,
    from: q.from,
    keys: [...keys],
    indexed: range ? { first: range.first, last: range.last } : null,
    holders,
    total: ranked.length,
  };
}

/** The last sequence number of `nodeId`'s unbroken run of segments from `from`. */
function runEnd(c: Coordinator, streamId: StreamId, nodeId: NodeId, from: number): number {
  const holds = (keys: readonly SegmentKey[]): boolean => keys.some((k) => c.toc.has(streamId, nodeId, k));
  // A node holds at most `tocKeysPerNode` keys, so the walk is bounded by that.
  const limit = from + c.toc.countOf(nodeId, streamId);
  let n = from;
  while (n < limit && holds(c.sequences.index.keysAt(streamId, n + 1))) n++;
  return n;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
