import type { AdminSnapshot, StreamId, TopologyEdge, TreeMember } from '@p2pcdn/core';
import {
  ALL_STREAMS,
  fromTopologyNode,
  originId,
  originNode,
  type GraphNodeModel,
  type StreamSelection,
} from '../graph/graph-model.ts';
import { edgeSources, type EdgeSource } from '../sources/node-sources.ts';

/**
 * A snapshot seen as a forest: the selected streams' origins on top, one row per tier, relays of
 * one farm grouped, and the viewers under one parent (or one farm) folded into a counted cluster
 * once there are more than a threshold of them, so thousands of viewers stay drawable.
 */

/** A node of the forest: its drawing model plus its place in the tree (from `members`). */
export interface ForestNode extends GraphNodeModel {
  /** Children's cost ÷ upload capacity, when the coordinator reports tree members. */
  load?: number;
  /** Farm the node belongs to (in the stream where it sits highest). */
  farm?: string;
  /** Stripes the node is in. */
  stripes?: number[];
}

/** Leaf viewers under one parent (or one farm), drawn as one counted box. */
export interface ForestCluster {
  /** `cluster:<streamId>:<parent or farm>`. */
  id: string;
  streamId: StreamId;
  /** The parent node or farm whose leaves these are. */
  under: string;
  tier: number;
  nodeIds: string[];
  /** Viewers by region, most first. */
  regions: [string, number][];
  /** Viewers with at least one stall, and with a buffer under {@link LOW_BUFFER_SEC}. */
  stalled: number;
  lowBuffer: number;
  /** Sum of the throughput into the cluster, kbit/s. */
  kbps: number;
}

/** A farm's balance: the load of each relay, least- and most-loaded. */
export interface ForestFarm {
  id: string;
  tier: number;
  /** Member relays, in drawing order. */
  nodeIds: string[];
  /** Loads of the members that report one, in drawing order. */
  loads: { id: string; load: number }[];
  min: number;
  max: number;
  mean: number;
  leastLoaded: string | null;
  mostLoaded: string | null;
}

/** A parent → child edge, or the sum of every edge of one stripe from a parent into a cluster. */
export interface ForestEdge {
  /** `<streamId>|<from>|<to>` (plus `|s<stripe>` when a parent feeds one child several stripes). */
  key: string;
  streamId: StreamId;
  from: string;
  to: string;
  state: TopologyEdge['state'];
  kbps: number;
  stripe?: number;
  /** Edges summed into this one (1 unless it ends at a cluster). */
  count: number;
  /** The parent as a source of the child's striped pull (single edges only). */
  source?: EdgeSource;
}

/** One thing placed in a row: a node, a farm (its members inside) or a cluster. */
export type ForestItem =
  { type: 'node'; id: string } | { type: 'farm'; id: string } | { type: 'cluster'; id: string };

/** A tier: origins are tier 0. */
export interface ForestRow {
  tier: number;
  items: ForestItem[];
}

/** Everything the forest view draws. */
export interface ForestModel {
  streamIds: StreamId[];
  rows: ForestRow[];
  nodes: Map<string, ForestNode>;
  farms: Map<string, ForestFarm>;
  clusters: Map<string, ForestCluster>;
  edges: ForestEdge[];
  /** Nodes of the selection in no tree (waiting for a parent, idle relays). */
  unattached: ForestNode[];
  /** Stripes the edges carry, sorted (empty when the plan is not striped). */
  stripes: number[];
  /** True when tiers and farms come from the coordinator's tree members, not from walking edges. */
  planned: boolean;
  /** Identity of everything that moves the layout; figures, loads and counts are not in it. */
  structureKey: string;
}

/** Options of {@link buildForest}. */
export interface ForestOptions {
  /** More leaf viewers than this under one parent or farm are drawn as a cluster (default 16). */
  clusterAbove?: number;
}

export const DEFAULT_CLUSTER_ABOVE = 16;
/**
 * A farm of more relays than this is drawn compactly: its relays as small tiles, and the edges
 * into and out of them summed per farm, stream and stripe (`graph-edge-…` then names the farm key).
 */
export const COMPACT_FARM_ABOVE = 18;
/** A viewer with less buffer than this (seconds) is about to stall. */
export const LOW_BUFFER_SEC = 2;

const KIND_ORDER: Record<ForestNode['kind'], number> = { origin: 0, relay: 1, viewer: 2, unknown: 3 };

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Tier by breadth-first walk from the origins, for nodes the members do not place. */
function walkTiers(nodes: Map<string, ForestNode>, edges: readonly ForestEdge[]): void {
  const children = new Map<string, string[]>();
  for (const e of edges) {
    const list = children.get(e.from);
    if (list) list.push(e.to);
    else children.set(e.from, [e.to]);
  }
  const queue = [...nodes.values()].filter((n) => n.tier !== null).map((n) => n.id);
  queue.sort((a, b) => (nodes.get(a)?.tier ?? 0) - (nodes.get(b)?.tier ?? 0));
  for (let i = 0; i < queue.length; i += 1) {
    const id = queue[i] ?? '';
    const tier = nodes.get(id)?.tier ?? 0;
    for (const childId of children.get(id) ?? []) {
      const child = nodes.get(childId);
      if (!child || child.tier !== null) continue;
      child.tier = tier + 1;
      queue.push(childId);
    }
  }
}

function placeFromMembers(node: ForestNode, member: TreeMember): void {
  if (node.tier === null || member.tier < node.tier) {
    node.tier = member.tier;
    if (member.farm !== undefined) node.farm = member.farm;
    else delete node.farm;
  }
  node.load = Math.max(node.load ?? 0, member.load);
  if (member.stripes) node.stripes = [...new Set([...(node.stripes ?? []), ...member.stripes])].sort();
}

function farmOf(id: string, tier: number, nodes: Map<string, ForestNode>): ForestFarm {
  const nodeIds = [...nodes.values()].filter((n) => n.farm === id && n.tier === tier).map((n) => n.id);
  nodeIds.sort(compareIds);
  const loads = nodeIds.flatMap((n) => {
    const load = nodes.get(n)?.load;
    return load === undefined ? [] : [{ id: n, load }];
  });
  let least: { id: string; load: number } | null = null;
  let most: { id: string; load: number } | null = null;
  for (const entry of loads) {
    if (!least || entry.load < least.load) least = entry;
    if (!most || entry.load > most.load) most = entry;
  }
  const mean = loads.length > 0 ? loads.reduce((s, l) => s + l.load, 0) / loads.length : 0;
  return {
    id,
    tier,
    nodeIds,
    loads,
    min: least?.load ?? 0,
    max: most?.load ?? 0,
    mean,
    leastLoaded: least?.id ?? null,
    mostLoaded: most?.id ?? null,
  };
}

/**
 * Builds the forest of the selected stream (or of every stream: shared relays appear once, in
 * the row of their highest tier). Linear in nodes and edges: it runs on every snapshot.
 */
export function buildForest(
  snapshot: AdminSnapshot,
  selection: StreamSelection,
  options: ForestOptions = {},
): ForestModel {
  const clusterAbove = options.clusterAbove ?? DEFAULT_CLUSTER_ABOVE;
  const known = snapshot.streams.map((s) => s.id);
  for (const e of snapshot.edges) if (!known.includes(e.streamId)) known.push(e.streamId);
  const streamIds = selection === ALL_STREAMS ? known : [selection];
  const selected = new Set(streamIds);

  const listed = new Map(snapshot.nodes.map((n) => [n.id, n]));
  const nodes = new Map<string, ForestNode>();
  for (const streamId of streamIds) nodes.set(originId(streamId), originNode(snapshot, streamId));

  // Edges of the selection; a parent feeding one child several stripes keeps one edge per stripe.
  const edges: ForestEdge[] = [];
  const keys = new Set<string>();
  const members = (snapshot.members ?? []).filter((m) => selected.has(m.streamId));
  const sources = edgeSources(members);
  for (const e of snapshot.edges) {
    if (!selected.has(e.streamId) || e.from === e.to) continue;
    let key = `${e.streamId}|${e.from}|${e.to}`;
    if (keys.has(key)) {
      if (e.stripe === undefined || keys.has(`${key}|s${e.stripe}`)) continue;
      key = `${key}|s${e.stripe}`;
    }
    keys.add(key);
    const edge: ForestEdge = {
      key,
      streamId: e.streamId,
      from: e.from,
      to: e.to,
      state: e.state,
      kbps: e.kbps,
      count: 1,
    };
    if (e.stripe !== undefined) edge.stripe = e.stripe;
    const source = sources.get(`${e.streamId}|${e.from}|${e.to}`);
    if (source) edge.source = source;
    edges.push(edge);
    for (const id of [e.from, e.to]) {
      const existing = nodes.get(id);
      if (existing) {
        if (!existing.streams.includes(e.streamId)) existing.streams.push(e.streamId);
        continue;
      }
      const node = listed.get(id);
      nodes.set(
        id,
        node
          ? fromTopologyNode(node, [e.streamId])
          : {
              id,
              kind: 'unknown',
              agent: 'unknown',
              name: 'unknown node',
              detail: id,
              tier: null,
              streams: [e.streamId],
            },
      );
    }
  }

  // Tiers and farms from the planner's members where it reports them, the walk elsewhere.
  for (const m of members) {
    const node = nodes.get(m.nodeId);
    if (node) placeFromMembers(node, m);
  }
  walkTiers(nodes, edges);

  const unattached: ForestNode[] = [];
  for (const node of snapshot.nodes) {
    if (nodes.has(node.id) || node.role === 'origin') continue;
    const streams = node.streams.filter((s) => selected.has(s));
    if (selection !== ALL_STREAMS && streams.length === 0) continue;
    unattached.push(fromTopologyNode(node, streams));
  }
  // Nodes with edges but no path from an origin (a loop, a lost parent) are listed with them.
  for (const node of nodes.values()) if (node.tier === null) unattached.push(node);
  for (const node of unattached) nodes.delete(node.id);
  unattached.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || compareIds(a.id, b.id));

  // Without figures, an origin's egress is what its children report receiving from it.
  for (const e of edges) {
    const from = nodes.get(e.from);
    if (from?.kind === 'origin' && !snapshot.figures.some((f) => originId(f.streamId) === from.id)) {
      from.upKbps = (from.upKbps ?? 0) + e.kbps;
    }
  }

  const drawn = edges.filter((e) => nodes.has(e.from) && nodes.has(e.to));
  const clusters = foldLeaves(nodes, drawn, clusterAbove);
  const clusterOf = new Map<string, string>();
  for (const c of clusters.values()) for (const id of c.nodeIds) clusterOf.set(id, c.id);
  const folded = foldEdges(drawn, clusterOf, clusters);

  const farms = new Map<string, ForestFarm>();
  for (const node of nodes.values()) {
    if (node.farm === undefined || node.tier === null || clusterOf.has(node.id)) continue;
    const key = `${node.farm}@${node.tier}`;
    if (!farms.has(key)) farms.set(key, farmOf(node.farm, node.tier, nodes));
  }
  const edgesDrawn = foldFarmEdges(folded, farms);
  const rows = buildRows(nodes, farms, clusters, clusterOf);
  const stripes = [...new Set(edgesDrawn.flatMap((e) => (e.stripe === undefined ? [] : [e.stripe])))].sort(
    (a, b) => a - b,
  );

  const structureKey = [
    rows
      .map(
        (r) =>
          `${r.tier}:${r.items.map((i) => (i.type === 'farm' ? `F${i.id}[${farms.get(i.id)?.nodeIds.join(',')}]` : `${i.type[0]}${i.id}`)).join(',')}`,
      )
      .join(';'),
    edgesDrawn.map((e) => `${e.key}/${nodes.get(e.from)?.kind ?? ''}`).join(','),
    unattached.map((n) => `${n.id}/${n.kind}`).join(','),
  ].join('#');
  return {
    streamIds,
    rows,
    nodes,
    farms,
    clusters,
    edges: edgesDrawn,
    unattached,
    stripes,
    planned: members.length > 0,
    structureKey,
  };
}

/**
 * Groups leaf viewers (no children in the selection) by their first parent (the one of the lowest
 * stripe), or by that parent's farm, and folds each group larger than `clusterAbove` into a cluster.
 */
function foldLeaves(
  nodes: Map<string, ForestNode>,
  edges: readonly ForestEdge[],
  clusterAbove: number,
): Map<string, ForestCluster> {
  const parents = new Set(edges.map((e) => e.from));
  const firstEdge = new Map<string, ForestEdge>();
  for (const e of edges) {
    const current = firstEdge.get(e.to);
    if (
      !current ||
      (e.stripe ?? 0) < (current.stripe ?? 0) ||
      ((e.stripe ?? 0) === (current.stripe ?? 0) && e.from < current.from)
    ) {
      firstEdge.set(e.to, e);
    }
  }
  const groups = new Map<string, { streamId: StreamId; under: string; ids: string[] }>();
  for (const [id, edge] of firstEdge) {
    const node = nodes.get(id);
    if (!node || node.kind !== 'viewer' || parents.has(id)) continue;
    const under = nodes.get(edge.from)?.farm ?? edge.from;
    const key = `cluster:${edge.streamId}:${under}`;
    const group = groups.get(key);
    if (group) group.ids.push(id);
    else groups.set(key, { streamId: edge.streamId, under, ids: [id] });
  }
  const clusters = new Map<string, ForestCluster>();
  for (const [id, group] of groups) {
    if (group.ids.length <= clusterAbove) continue;
    group.ids.sort(compareIds);
    const regions = new Map<string, number>();
    let stalled = 0;
    let lowBuffer = 0;
    let tier = 0;
    for (const nodeId of group.ids) {
      const node = nodes.get(nodeId);
      if (!node) continue;
      const region = node.region ?? 'no region';
      regions.set(region, (regions.get(region) ?? 0) + 1);
      if ((node.stalls ?? 0) > 0) stalled += 1;
      if (node.bufferSec !== undefined && node.bufferSec < LOW_BUFFER_SEC) lowBuffer += 1;
      tier = Math.max(tier, node.tier ?? 0);
    }
    clusters.set(id, {
      id,
      streamId: group.streamId,
      under: group.under,
      tier,
      nodeIds: group.ids,
      regions: [...regions].sort((a, b) => b[1] - a[1] || compareIds(a[0], b[0])),
      stalled,
      lowBuffer,
      kbps: 0,
    });
  }
  return clusters;
}

/** Replaces every edge into a clustered viewer by one edge per parent, stream and stripe. */
function foldEdges(
  edges: readonly ForestEdge[],
  clusterOf: ReadonlyMap<string, string>,
  clusters: Map<string, ForestCluster>,
): ForestEdge[] {
  const out: ForestEdge[] = [];
  const sums = new Map<string, ForestEdge>();
  for (const e of edges) {
    const clusterId = clusterOf.get(e.to);
    if (clusterId === undefined) {
      out.push(e);
      continue;
    }
    const cluster = clusters.get(clusterId);
    if (cluster) cluster.kbps += e.kbps;
    const key = `${e.streamId}|${e.from}|${clusterId}${e.stripe === undefined ? '' : `|s${e.stripe}`}`;
    const sum = sums.get(key);
    if (sum) {
      sum.kbps += e.kbps;
      sum.count += 1;
      if (e.state === 'connected') sum.state = 'connected';
      continue;
    }
    const { source: _source, ...rest } = e;
    const edge: ForestEdge = { ...rest, key, to: clusterId, count: 1 };
    sums.set(key, edge);
    out.push(edge);
  }
  return out.sort((a, b) => compareIds(a.key, b.key));
}

/** Sums the edges into and out of the relays of compact farms into edges of the farm box. */
function foldFarmEdges(edges: readonly ForestEdge[], farms: ReadonlyMap<string, ForestFarm>): ForestEdge[] {
  const farmOf = new Map<string, string>();
  for (const [key, farm] of farms) {
    if (farm.nodeIds.length > COMPACT_FARM_ABOVE) for (const id of farm.nodeIds) farmOf.set(id, key);
  }
  if (farmOf.size === 0) return [...edges];
  const out: ForestEdge[] = [];
  const sums = new Map<string, ForestEdge>();
  for (const e of edges) {
    const from = farmOf.get(e.from) ?? e.from;
    const to = farmOf.get(e.to) ?? e.to;
    if (from === e.from && to === e.to) {
      out.push(e);
      continue;
    }
    if (from === to) continue; // between relays of one farm: drawn inside its box
    const key = `${e.streamId}|${from}|${to}${e.stripe === undefined ? '' : `|s${e.stripe}`}`;
    const sum = sums.get(key);
    if (sum) {
      sum.kbps += e.kbps;
      sum.count += e.count;
      if (e.state === 'connected') sum.state = 'connected';
      continue;
    }
    const { source: _source, ...rest } = e;
    const edge: ForestEdge = { ...rest, key, from, to };
    sums.set(key, edge);
    out.push(edge);
  }
  return out.sort((a, b) => compareIds(a.key, b.key));
}

/** Rows by tier; within a row: origins by stream, farms, single nodes, then clusters. */
function buildRows(
  nodes: Map<string, ForestNode>,
  farms: Map<string, ForestFarm>,
  clusters: Map<string, ForestCluster>,
  clusterOf: ReadonlyMap<string, string>,
): ForestRow[] {
  const byTier = new Map<number, ForestItem[]>();
  const add = (tier: number, item: ForestItem) => {
    const list = byTier.get(tier);
    if (list) list.push(item);
    else byTier.set(tier, [item]);
  };
  const loose = [...nodes.values()]
    .filter((n) => n.tier !== null && !clusterOf.has(n.id) && n.farm === undefined)
    .sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || compareIds(a.id, b.id));
  for (const [key, farm] of [...farms].sort((a, b) => compareIds(a[0], b[0])))
    add(farm.tier, { type: 'farm', id: key });
  for (const node of loose) add(node.tier ?? 0, { type: 'node', id: node.id });
  for (const cluster of [...clusters.values()].sort((a, b) => compareIds(a.id, b.id))) {
    add(cluster.tier, { type: 'cluster', id: cluster.id });
  }
  return [...byTier].sort((a, b) => a[0] - b[0]).map(([tier, items]) => ({ tier, items }));
}
