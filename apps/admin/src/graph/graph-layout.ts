import { Graph, layout } from '@dagrejs/dagre';
import type { EdgeLabel, GraphLabel, NodeLabel } from '@dagrejs/dagre';
import type { GraphEdgeModel, GraphModel, GraphNodeKind, GraphNodeModel } from './graph-model.ts';

/** A point in graph coordinates. */
export interface Point {
  x: number;
  y: number;
}

/** A laid-out node: centre and size, in graph coordinates. */
export interface NodeBox extends Point {
  width: number;
  height: number;
}

/** A laid-out edge: the route from parent to child and where its throughput label sits. */
export interface EdgeRoute {
  points: Point[];
  label: Point;
  /**
   * `curve` for dagre's routes (drawn smooth, with an arrowhead); `bus` for edges into a leaf
   * block (trunk, row bus and a short drop, drawn with square-ish corners, no arrowhead).
   */
  style: 'curve' | 'bus';
  /** For `bus` routes: index of the point where the smooth approach ends and the trunk begins. */
  bend?: number;
}

/** Positions for everything in a {@link GraphModel}; only depends on its `topologyKey`. */
export interface GraphLayout {
  topologyKey: string;
  width: number;
  height: number;
  nodes: Record<string, NodeBox>;
  edges: Record<string, EdgeRoute>;
  /** Top of the "not in a tree" strip, or null when there is none. */
  unattachedTop: number | null;
}

/** Node sizes by kind: fixed, so live figures never move the layout. */
export const NODE_SIZE: Readonly<Record<GraphNodeKind, { width: number; height: number }>> = {
  origin: { width: 150, height: 50 },
  relay: { width: 132, height: 50 },
  viewer: { width: 112, height: 50 },
  unknown: { width: 112, height: 50 },
};

/** Room dagre keeps free for each edge's throughput label. */
export const EDGE_LABEL_SIZE = { width: 70, height: 14 } as const;

/** A parent with at least this many leaf children gets them wrapped in a block of rows. */
export const LEAF_BLOCK_MIN = 4;
/** Columns of a leaf block. */
export const LEAF_BLOCK_COLUMNS = 3;

const MARGIN = 16;
const STRIP_HEADER = 26;
const STRIP_GAP = 10;
const BLOCK_COLUMN_GAP = 16;
/** Space above each leaf of a block for its bus line and throughput label. */
const BLOCK_LABEL_ROOM = 30;
const BLOCK_ROW_GAP = 6;

/** Leaves (no children) that hang from one parent by one edge, drawn as a wrapped block. */
interface LeafBlock {
  id: string;
  parent: string;
  leaves: GraphNodeModel[];
  columns: number;
  rows: number;
  cellWidth: number;
}

/** Rows of at most {@link LEAF_BLOCK_COLUMNS}, as even as possible (5 → 3 + 2, 8 → 4 + 4). */
function blockShape(count: number): { columns: number; rows: number } {
  const rows = Math.ceil(count / LEAF_BLOCK_COLUMNS);
  return { rows, columns: Math.ceil(count / rows) };
}

/**
 * Finds the parents whose many leaf children would make one very wide rank: a tier of 30 viewers
 * side by side is unreadable at any zoom that shows it whole, so they wrap into rows instead.
 */
function findLeafBlocks(model: GraphModel): LeafBlock[] {
  const outgoing = new Set(model.edges.map((e) => e.from));
  const incoming = new Map<string, GraphEdgeModel[]>();
  for (const edge of model.edges) {
    const list = incoming.get(edge.to);
    if (list) list.push(edge);
    else incoming.set(edge.to, [edge]);
  }
  // One block per parent and stream, so a relay serving two streams gets two blocks.
  const groups = new Map<string, { parent: string; leaves: GraphNodeModel[] }>();
  for (const node of model.nodes) {
    const parents = incoming.get(node.id);
    const edge = parents?.[0];
    if (node.kind === 'origin' || outgoing.has(node.id) || parents?.length !== 1 || !edge) continue;
    const id = `block:${edge.streamId}:${edge.from}`;
    const group = groups.get(id);
    if (group) group.leaves.push(node);
    else groups.set(id, { parent: edge.from, leaves: [node] });
  }
  const blocks: LeafBlock[] = [];
  for (const [id, { parent, leaves }] of groups) {
    if (leaves.length < LEAF_BLOCK_MIN) continue;
    const widest = Math.max(...leaves.map((n) => NODE_SIZE[n.kind].width));
    blocks.push({ id, parent, leaves, ...blockShape(leaves.length), cellWidth: widest + BLOCK_COLUMN_GAP });
  }
  return blocks;
}

function blockSize(block: LeafBlock): { width: number; height: number } {
  const rowHeight = BLOCK_LABEL_ROOM + NODE_SIZE.viewer.height + BLOCK_ROW_GAP;
  return { width: block.columns * block.cellWidth - BLOCK_COLUMN_GAP, height: block.rows * rowHeight };
}

/**
 * Lays the graph out top to bottom with dagre (origins on top, one rank per tier). A parent's
 * many leaves are wrapped into a block of rows fed by a trunk and a bus per row, and the nodes in
 * no tree go in a grid below everything.
 */
export function layoutGraph(model: GraphModel): GraphLayout {
  const blocks = findLeafBlocks(model);
  const blockOf = new Map<string, LeafBlock>();
  for (const block of blocks) for (const leaf of block.leaves) blockOf.set(leaf.id, block);

  const g = new Graph<GraphLabel, NodeLabel, EdgeLabel>({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 12, ranksep: 22, edgesep: 10, marginx: MARGIN, marginy: MARGIN });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of model.nodes) if (!blockOf.has(node.id)) g.setNode(node.id, { ...NODE_SIZE[node.kind] });
  for (const block of blocks) {
    g.setNode(block.id, blockSize(block));
    g.setEdge(block.parent, block.id, { width: 0, height: 0, labelpos: 'c', minlen: 1, weight: 2 }, block.id);
  }
  for (const edge of model.edges) {
    if (blockOf.has(edge.to)) continue;
    g.setEdge(
      edge.from,
      edge.to,
      { ...EDGE_LABEL_SIZE, labelpos: 'c', minlen: 1, weight: edge.state === 'connected' ? 2 : 1 },
      edge.streamId,
    );
  }
  layout(g);

  const nodes: Record<string, NodeBox> = {};
  const edges: Record<string, EdgeRoute> = {};
  let width = 0;
  let height = 0;
  const grow = (box: NodeBox) => {
    width = Math.max(width, box.x + box.width / 2 + MARGIN);
    height = Math.max(height, box.y + box.height / 2 + MARGIN);
  };
  for (const node of model.nodes) {
    if (blockOf.has(node.id)) continue;
    const label = g.node(node.id);
    const box = { x: label.x ?? 0, y: label.y ?? 0, width: label.width, height: label.height };
    nodes[node.id] = box;
    grow(box);
  }
  for (const block of blocks) placeBlock(g, block, nodes, edges, model.edges);
  for (const block of blocks) {
    const label = g.node(block.id);
    grow({ x: label.x ?? 0, y: label.y ?? 0, width: label.width, height: label.height });
  }
  for (const edge of model.edges) {
    if (blockOf.has(edge.to)) continue;
    const label = g.edge({ v: edge.from, w: edge.to, name: edge.streamId });
    const points = label.points ?? [];
    const mid = points[Math.floor(points.length / 2)] ?? { x: 0, y: 0 };
    edges[edge.key] = { points, label: { x: label.x ?? mid.x, y: label.y ?? mid.y }, style: 'curve' };
  }

  let unattachedTop: number | null = null;
  if (model.unattached.length > 0) {
    unattachedTop = height + (model.nodes.length > 0 ? STRIP_GAP : 0);
    const cell = Math.max(...model.unattached.map((n) => NODE_SIZE[n.kind].width)) + STRIP_GAP;
    const rowHeight = NODE_SIZE.viewer.height + STRIP_GAP;
    const columns = Math.max(1, Math.floor((Math.max(width, 4 * cell) - MARGIN * 2) / cell));
    model.unattached.forEach((node, i) => {
      const size = NODE_SIZE[node.kind];
      const column = i % columns;
      const row = Math.floor(i / columns);
      nodes[node.id] = {
        x: MARGIN + column * cell + cell / 2,
        y: (unattachedTop ?? 0) + STRIP_HEADER + row * rowHeight + size.height / 2,
        width: size.width,
        height: size.height,
      };
    });
    const rows = Math.ceil(model.unattached.length / columns);
    width = Math.max(width, MARGIN * 2 + Math.min(columns, model.unattached.length) * cell);
    height = unattachedTop + STRIP_HEADER + rows * rowHeight + MARGIN;
  }
  return { topologyKey: model.topologyKey, width, height, nodes, edges, unattachedTop };
}

/**
 * Places a block's leaves in rows and routes each parent → leaf edge: dagre's route to the top
 * of the block, down a trunk running in a column gap, along the row's bus, and a short drop (which
 * carries the throughput label) onto the leaf.
 */
function placeBlock(
  g: Graph<GraphLabel, NodeLabel, EdgeLabel>,
  block: LeafBlock,
  nodes: Record<string, NodeBox>,
  edges: Record<string, EdgeRoute>,
  modelEdges: readonly GraphEdgeModel[],
): void {
  const box = g.node(block.id);
  const left = (box.x ?? 0) - box.width / 2;
  const top = (box.y ?? 0) - box.height / 2;
  const rowHeight = BLOCK_LABEL_ROOM + NODE_SIZE.viewer.height + BLOCK_ROW_GAP;
  const route = g.edge({ v: block.parent, w: block.id, name: block.id }).points ?? [];
  const approach = route.slice(0, -1);
  // The trunk runs down the column gap nearest to where dagre's route arrives, so it never
  // crosses a leaf and the approach keeps dagre's shape.
  const arrival = route.at(-1)?.x ?? box.x ?? 0;
  const gaps =
    block.columns === 1
      ? [left - BLOCK_COLUMN_GAP / 2, left + box.width + BLOCK_COLUMN_GAP / 2]
      : Array.from(
          { length: block.columns - 1 },
          (_, k) => left + (k + 1) * block.cellWidth - BLOCK_COLUMN_GAP / 2,
        );
  const trunkX = gaps.reduce((best, x) => (Math.abs(x - arrival) < Math.abs(best - arrival) ? x : best));

  block.leaves.forEach((leaf, i) => {
    const size = NODE_SIZE[leaf.kind];
    const row = Math.floor(i / block.columns);
    const column = i % block.columns;
    const rowTop = top + row * rowHeight;
    const leafTop = rowTop + BLOCK_LABEL_ROOM;
    const x = left + column * block.cellWidth + (block.cellWidth - BLOCK_COLUMN_GAP) / 2;
    nodes[leaf.id] = { x, y: leafTop + size.height / 2, width: size.width, height: size.height };
    const busY = rowTop + 6;
    const edge = modelEdges.find((e) => e.to === leaf.id && e.from === block.parent);
    if (!edge) return;
    edges[edge.key] = {
      points: [...approach, { x: trunkX, y: top }, { x: trunkX, y: busY }, { x, y: busY }, { x, y: leafTop }],
      label: { x, y: leafTop - 11 },
      style: 'bus',
      bend: approach.length,
    };
  });
}

const cache = new Map<string, GraphLayout>();
const CACHE_SIZE = 8;

/**
 * {@link layoutGraph} memoised by topology: while nodes and edges stay the same (only figures
 * change), the very same layout object comes back, so the drawing does not move.
 */
export function cachedLayout(model: GraphModel): GraphLayout {
  const hit = cache.get(model.topologyKey);
  if (hit) {
    // refresh recency
    cache.delete(model.topologyKey);
    cache.set(model.topologyKey, hit);
    return hit;
  }
  const fresh = layoutGraph(model);
  cache.set(model.topologyKey, fresh);
  if (cache.size > CACHE_SIZE) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  return fresh;
}
