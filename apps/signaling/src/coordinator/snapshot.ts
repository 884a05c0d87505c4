import {
  SNAPSHOT_PATTERN_LETTERS,
  originNodeId,
  type AdminSnapshot,
  type NodeId,
  type StreamFigures,
  type StreamId,
  type StreamInfo,
  type StripedPull,
  type TopologyEdge,
  type TopologyNode,
  type TreeMember,
} from '@p2pcdn/core';
import type { NodeRecord } from '../registry/node-registry.ts';
import type { Coordinator } from './coordinator.ts';
import { plannerSettings } from './planner-config.ts';

/** Bytes the origin itself counted for a stream, when known. */
export type OriginBytes = (stream: StreamInfo) => number | undefined;

const round1 = (x: number): number => Math.round(x * 10) / 10;
const count = (x: number): number => Math.max(0, Math.floor(x));

/** A connected node as the admin dashboard shows it. */
export function topologyNode(c: Coordinator, node: NodeRecord): TopologyNode {
  const latest = node.traffic.latest;
  const out: TopologyNode = {
    id: node.id,
    role: node.role,
    name: node.name,
    region: node.region,
    agent: node.agent,
    capacity: node.capacity,
    streams: c.planner.streamsOf(node.id),
    connectedAt: count(node.connectedAt),
    lastSeenAt: count(node.lastSeenAt),
    httpBytes: latest?.httpBytes ?? 0,
    p2pBytes: latest?.p2pBytes ?? 0,
    uploadBytes: latest?.uploadBytes ?? 0,
    downKbps: round1(node.traffic.downKbps),
    upKbps: round1(node.traffic.upKbps),
  };
  if (latest?.bufferSec !== undefined) out.bufferSec = latest.bufferSec;
  if (latest?.startupMs !== undefined) out.startupMs = latest.startupMs;
  if (latest?.stalls !== undefined) out.stalls = latest.stalls;
  if (latest?.storeBytes !== undefined) out.storeBytes = latest.storeBytes;
  return out;
}

/** Origin egress a stream's members report, kbit/s. */
function originKbps(c: Coordinator, streamId: StreamId): number {
  let sum = 0;
  for (const m of c.planner.members(streamId)) {
    sum += c.nodes.get(m.id)?.traffic.streams.get(streamId)?.httpKbps ?? 0;
  }
  return sum;
}

/** The origin of `stream` as a pseudo-node (for trees that have members). */
function originNode(c: Coordinator, stream: StreamInfo, originBytes: OriginBytes): TopologyNode {
  const totals = c.figures.get(stream.id);
  const measured = originBytes(stream);
  const kbps = round1(originKbps(c, stream.id));
  let host = stream.url;
  try {
    host = new URL(stream.url).host;
  } catch {
    // registered URLs are validated; keep the raw text if not
  }
  return {
    id: originNodeId(stream.id),
    role: 'origin',
    name: `origin ${host}`.slice(0, 64),
    agent: 'http',
    streams: [stream.id],
    connectedAt: count(stream.createdAt),
    lastSeenAt: count(c.clock.now()),
    httpBytes: 0,
    p2pBytes: 0,
    uploadBytes: count(measured ?? totals.httpBytes),
    downKbps: 0,
    upKbps: kbps,
  };
}

/**
 * The planned edges of a stream, with their state and the child's measured throughput: one per
 * stripe in striped plans (a parent feeding one child several stripes is split evenly across them,
 * since the child's link counters do not tell the stripes apart).
 */
export function streamEdges(c: Coordinator, streamId: StreamId): TopologyEdge[] {
  const edges: TopologyEdge[] = [];
  for (const m of c.planner.members(streamId)) {
    const child = c.nodes.get(m.id);
    const places = m.stripes ?? [{ stripe: undefined, parent: m.parent }];
    const shares = new Map<NodeId | null, number>();
    for (const p of places) shares.set(p.parent, (shares.get(p.parent) ?? 0) + 1);
    for (const place of places) {
      const split = shares.get(place.parent) ?? 1;
      let edge: TopologyEdge;
      if (place.parent === null) {
        const http = child?.traffic.streams.get(streamId)?.httpKbps ?? 0;
        const fetched = (child?.traffic.latest?.httpBytes ?? 0) > 0;
        edge = {
          streamId,
          from: originNodeId(streamId),
          to: m.id,
          state: fetched ? 'connected' : 'planned',
          kbps: round1(http / split),
        };
      } else {
        edge = {
          streamId,
          from: place.parent,
          to: m.id,
          state: c.isConfirmed(streamId, m.id, place.parent) ? 'connected' : 'planned',
          kbps: round1((child?.traffic.links.get(place.parent)?.inKbps ?? 0) / split),
        };
      }
      if (place.stripe !== undefined) edge.stripe = Math.min(15, Math.max(0, place.stripe));
      edges.push(edge);
    }
  }
  return edges;
}

/**
 * A node's striped pull of `streamId` as the snapshot carries it: the pattern cut to
 * {@link SNAPSHOT_PATTERN_LETTERS} letters, rates in kbit/s, shares rounded to 0.001.
 */
export function stripedPull(node: NodeRecord | undefined, streamId: StreamId): StripedPull | undefined {
  const figures = node?.traffic.pulls.get(streamId);
  if (!node || !figures) return undefined;
  return {
    pattern: figures.pattern.slice(0, SNAPSHOT_PATTERN_LETTERS),
    patternLength: figures.pattern.length,
    epoch: figures.epoch,
    sources: figures.sources.map((s) => ({
      peerId: s.peerId,
      letter: s.letter,
      share: Math.round(s.share * 1000) / 1000,
      kbps: Math.min(1e8, round1((s.bytesPerSecond * 8) / 1000)),
      outOfSequence: s.outOfSequence,
    })),
    reportedAt: count(node.traffic.reportedAt ?? node.lastSeenAt),
  };
}

/** Figures of one stream. */
export function streamFigures(c: Coordinator, stream: StreamInfo, originBytes: OriginBytes): StreamFigures {
  const members = c.planner.members(stream.id);
  const totals = c.figures.get(stream.id);
  const viewerBytes = totals.viewerP2pBytes + totals.viewerHttpBytes;
  const figures: StreamFigures = {
    streamId: stream.id,
    viewers: members.filter((m) => m.watching).length,
    relays: members.filter((m) => m.role === 'relay').length,
    p2pBytes: count(totals.p2pBytes),
    httpBytes: count(totals.httpBytes),
    p2pShare: viewerBytes > 0 ? Math.min(1, totals.viewerP2pBytes / viewerBytes) : 0,
    originKbps: round1(originKbps(c, stream.id)),
  };
  const measured = originBytes(stream);
  if (measured !== undefined && Number.isFinite(measured)) figures.originMeasuredBytes = count(measured);
  return figures;
}

/** One stream's tree: its members, its origin and its edges. */
export function streamTopology(
  c: Coordinator,
  stream: StreamInfo,
  originBytes: OriginBytes,
): { nodes: TopologyNode[]; edges: TopologyEdge[]; figures: StreamFigures } {
  const members = c.planner.members(stream.id);
  const nodes: TopologyNode[] = [];
  if (members.length > 0) nodes.push(originNode(c, stream, originBytes));
  for (const m of members) {
    const node = c.nodes.get(m.id);
    if (node) nodes.push(topologyNode(c, node));
  }
  return { nodes, edges: streamEdges(c, stream.id), figures: streamFigures(c, stream, originBytes) };
}

/**
 * Every member of one stream's tree with its tier, farm (relays of one tier and region sharing
 * new viewers, tiered planner only) and load (children's cost ÷ upload, over every stream).
 */
export function treeMembers(c: Coordinator, streamId: StreamId): TreeMember[] {
  const farmOf = new Map<string, string>();
  for (const farm of c.tiered?.farms(streamId) ?? []) {
    const name = `t${farm.tier}:${farm.region || 'any'}`.slice(0, 64);
    for (const m of farm.members) if (!farmOf.has(m.id)) farmOf.set(m.id, name);
  }
  return c.planner.members(streamId).map((m) => {
    const upload = c.planner.node(m.id)?.uploadKbps ?? 0;
    const load = c.tiered ? c.tiered.loadRatio(m.id) : upload > 0 ? c.planner.loadKbps(m.id) / upload : 0;
    const member: TreeMember = {
      streamId,
      nodeId: m.id,
      tier: Math.min(64, Math.max(1, m.tier)),
      watching: m.watching,
      load: Math.round(Math.max(0, load) * 1000) / 1000,
    };
    const farm = farmOf.get(m.id);
    if (farm !== undefined) member.farm = farm;
    if (m.stripes) member.stripes = m.stripes.map((s) => s.stripe);
    const pull = stripedPull(c.nodes.get(m.id), streamId);
    if (pull) member.pull = pull;
    return member;
  });
}

/** Everything the admin dashboard shows, at this instant. */
export function adminSnapshot(c: Coordinator, originBytes: OriginBytes, maxEvents = 200): AdminSnapshot {
  const streams = c.streams.all();
  const nodes: TopologyNode[] = [];
  const edges: TopologyEdge[] = [];
  for (const stream of streams) {
    if (c.planner.members(stream.id).length > 0) nodes.push(originNode(c, stream, originBytes));
    edges.push(...streamEdges(c, stream.id));
  }
  for (const node of c.nodes.all()) nodes.push(topologyNode(c, node));
  return {
    at: count(c.clock.now()),
    streams,
    nodes,
    edges,
    figures: streams.map((s) => streamFigures(c, s, originBytes)),
    events: c.events.recent(maxEvents),
    members: streams.flatMap((s) => treeMembers(c, s.id)),
    forecasts: c.forecasts.snapshot(),
    planner: plannerSettings(c.settings.planner),
  };
}
