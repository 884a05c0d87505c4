import type { AdminSnapshot, StreamId, TopologyEdge, TopologyNode } from '@p2pcdn/core';

/** Selector value that draws every stream's tree in one graph (shared relays appear once). */
export const ALL_STREAMS = '*';
/** What the topology view shows: one stream, or all of them. */
export type StreamSelection = StreamId | typeof ALL_STREAMS;

/** How a node is drawn: by its role in the trees. */
export type GraphNodeKind = 'origin' | 'relay' | 'viewer' | 'unknown';
/** What software runs the node: a browser tab, a Node agent (worker, headless viewer) or plain HTTP. */
export type GraphNodeAgent = TopologyNode['agent'] | 'unknown';

/** One node of the layout input. */
export interface GraphNodeModel {
  /** Node id, or `origin:<streamId>` for a stream's origin. */
  id: string;
  kind: GraphNodeKind;
  agent: GraphNodeAgent;
  /** Display name (the node's name, or the stream id for an origin). */
  name: string;
  /** Second line: the node id, or for an origin its listed name (host) or the stream title. */
  detail: string;
  region?: string;
  bufferSec?: number;
  upKbps?: number;
  downKbps?: number;
  stalls?: number;
  /** Distance from the nearest origin in edges: 0 for origins, null when no origin reaches it. */
  tier: number | null;
  /** Streams the node takes part in within this graph. */
  streams: StreamId[];
}

/** One parent → child edge of the layout input. */
export interface GraphEdgeModel {
  /** `<streamId>|<from>|<to>`, unique within a snapshot. */
  key: string;
  streamId: StreamId;
  from: string;
  to: string;
  state: TopologyEdge['state'];
  kbps: number;
}

/** A snapshot seen as a graph, ready for {@link layoutGraph}. */
export interface GraphModel {
  /** Nodes with at least one edge (plus every origin), sorted by tier, kind and id. */
  nodes: GraphNodeModel[];
  edges: GraphEdgeModel[];
  /** Nodes of the selection that are in no tree yet (waiting for a parent, idle relays). */
  unattached: GraphNodeModel[];
  /** Streams drawn, in snapshot order (edge colours follow this order). */
  streamIds: StreamId[];
  maxTier: number;
  /**
   * Identity of everything that influences the layout (node ids and kinds, edge endpoints).
   * Equal keys mean the previous layout can be reused as is.
   */
  topologyKey: string;
}

/** Id of the origin pseudo-node of a stream, as edges name it. */
export function originId(streamId: StreamId): string {
  return `origin:${streamId}`;
}

const KIND_ORDER: Record<GraphNodeKind, number> = { origin: 0, relay: 1, viewer: 2, unknown: 3 };

/** The drawing model of a listed node (tier unknown until the tree is walked). */
export function fromTopologyNode(node: TopologyNode, streams: StreamId[]): GraphNodeModel {
  const model: GraphNodeModel = {
    id: node.id,
    kind: node.role,
    agent: node.agent,
    name: node.name || node.id,
    detail: node.id,
    tier: null,
    streams,
    upKbps: node.upKbps,
    downKbps: node.downKbps,
  };
  if (node.region !== undefined) model.region = node.region;
  if (node.bufferSec !== undefined) model.bufferSec = node.bufferSec;
  if (node.stalls !== undefined) model.stalls = node.stalls;
  return model;
}

/** The origin pseudo-node of `streamId`, named by the stream, with the host on its second line. */
export function originNode(snapshot: AdminSnapshot, streamId: StreamId): GraphNodeModel {
  const id = originId(streamId);
  const stream = snapshot.streams.find((s) => s.id === streamId);
  // The coordinator may list the origin as a node (`origin:<streamId>`, or any origin serving the
  // stream): it lends its name and region.
  const listed =
    snapshot.nodes.find((n) => n.id === id) ??
    snapshot.nodes.find((n) => n.role === 'origin' && n.streams.includes(streamId));
  const figures = snapshot.figures.find((f) => f.streamId === streamId);
  const model: GraphNodeModel = {
    id,
    kind: 'origin',
    agent: 'http',
    // The stream is what tells origins apart; the host goes on the second line.
    name: streamId,
    detail: listed?.name || stream?.title || 'origin',
    tier: 0,
    streams: [streamId],
  };
  if (figures) model.upKbps = figures.originKbps;
  if (listed?.region !== undefined) model.region = listed.region;
  return model;
}

function sortNodes(nodes: GraphNodeModel[]): GraphNodeModel[] {
  return nodes.sort(
    (a, b) =>
      (a.tier ?? Number.MAX_SAFE_INTEGER) - (b.tier ?? Number.MAX_SAFE_INTEGER) ||
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/** Breadth-first distance from the origins; nodes no origin reaches keep `null`. */
function assignTiers(nodes: Map<string, GraphNodeModel>, edges: GraphEdgeModel[]): number {
  const children = new Map<string, string[]>();
  for (const edge of edges) {
    const list = children.get(edge.from);
    if (list) list.push(edge.to);
    else children.set(edge.from, [edge.to]);
  }
  const queue = [...nodes.values()].filter((n) => n.kind === 'origin').map((n) => n.id);
  let maxTier = 0;
  for (let i = 0; i < queue.length; i += 1) {
    const id = queue[i] ?? '';
    const tier = nodes.get(id)?.tier ?? 0;
    for (const childId of children.get(id) ?? []) {
      const child = nodes.get(childId);
      if (!child || child.tier !== null) continue;
      child.tier = tier + 1;
      maxTier = Math.max(maxTier, child.tier);
      queue.push(childId);
    }
  }
  return maxTier;
}

/**
 * Turns a snapshot into the graph of one stream (or of all streams): the origin pseudo-node
 * `origin:<streamId>` on top, the stream's edges, every node they touch (placeholders for ids the
 * snapshot does not list), tiers by distance from the origin, and the stream's nodes without any
 * edge set apart as `unattached`. With {@link ALL_STREAMS}, every listed node appears exactly once.
 */
export function buildGraphModel(snapshot: AdminSnapshot, selection: StreamSelection): GraphModel {
  const known = snapshot.streams.map((s) => s.id);
  for (const edge of snapshot.edges) if (!known.includes(edge.streamId)) known.push(edge.streamId);
  const streamIds = selection === ALL_STREAMS ? known : [selection];
  const inSelection = (streamId: StreamId): boolean => selection === ALL_STREAMS || streamId === selection;

  const topology = new Map(snapshot.nodes.map((n) => [n.id, n]));
  const nodes = new Map<string, GraphNodeModel>();
  for (const streamId of streamIds) nodes.set(originId(streamId), originNode(snapshot, streamId));

  const edges: GraphEdgeModel[] = [];
  const seen = new Set<string>();
  for (const edge of snapshot.edges) {
    if (!inSelection(edge.streamId)) continue;
    const key = `${edge.streamId}|${edge.from}|${edge.to}`;
    if (seen.has(key) || edge.from === edge.to) continue;
    seen.add(key);
    edges.push({
      key,
      streamId: edge.streamId,
      from: edge.from,
      to: edge.to,
      state: edge.state,
      kbps: edge.kbps,
    });
    for (const id of [edge.from, edge.to]) {
      const existing = nodes.get(id);
      if (existing) {
        if (!existing.streams.includes(edge.streamId)) existing.streams.push(edge.streamId);
        continue;
      }
      const listed = topology.get(id);
      nodes.set(
        id,
        listed
          ? fromTopologyNode(listed, [edge.streamId])
          : {
              id,
              kind: 'unknown',
              agent: 'unknown',
              name: 'unknown node',
              detail: id,
              tier: null,
              streams: [edge.streamId],
            },
      );
    }
  }

  const unattached: GraphNodeModel[] = [];
  for (const node of snapshot.nodes) {
    // Origins are drawn as the pseudo-nodes on top, never twice.
    if (nodes.has(node.id) || node.role === 'origin') continue;
    const streams = node.streams.filter(inSelection);
    if (selection !== ALL_STREAMS && streams.length === 0) continue;
    unattached.push(fromTopologyNode(node, streams));
  }

  // Without figures, an origin's egress is what its children report receiving from it.
  const withoutFigures = new Set(streamIds.map(originId).filter((id) => nodes.get(id)?.upKbps === undefined));
  for (const edge of edges) {
    const from = nodes.get(edge.from);
    if (from && withoutFigures.has(from.id)) from.upKbps = (from.upKbps ?? 0) + edge.kbps;
  }
  const maxTier = assignTiers(nodes, edges);
  const sorted = sortNodes([...nodes.values()]);
  sortNodes(unattached);
  edges.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const topologyKey = [
    sorted.map((n) => `${n.id}/${n.kind}`).join(','),
    edges.map((e) => e.key).join(','),
    unattached.map((n) => `${n.id}/${n.kind}`).join(','),
  ].join('#');
  return { nodes: sorted, edges, unattached, streamIds, maxTier, topologyKey };
}
