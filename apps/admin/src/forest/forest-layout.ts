import { COMPACT_FARM_ABOVE, type ForestItem, type ForestModel, type ForestNode } from './forest-model.ts';

/** A box in drawing coordinates: centre and size. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A laid-out row: its band (for the tier label and background). */
export interface RowBand {
  tier: number;
  top: number;
  height: number;
}

/** Positions for a {@link ForestModel}; depends only on its `structureKey`. */
export interface ForestLayout {
  structureKey: string;
  width: number;
  height: number;
  rows: RowBand[];
  /** Nodes, clusters (by cluster id) and farms (by farm key), centre and size. */
  boxes: Map<string, Box>;
  /** Top of the "not in a tree" strip, or null when there is none. */
  unattachedTop: number | null;
}

/** Sizes by kind: fixed, so live figures never move anything. */
export const FOREST_NODE_SIZE: Readonly<
  Record<ForestNode['kind'] | 'cluster', { width: number; height: number }>
> = {
  origin: { width: 150, height: 50 },
  relay: { width: 132, height: 58 },
  viewer: { width: 112, height: 50 },
  unknown: { width: 112, height: 50 },
  cluster: { width: 176, height: 64 },
};

/** Left gutter for the tier labels. */
export const GUTTER = 64;
const MARGIN = 16;
const GAP_X = 14;
const GAP_LINE = 40;
const GAP_ROW = 56;
/** A row wider than this wraps onto further lines. */
export const MAX_LINE_WIDTH = 1500;
/** Relays per line inside a farm box of full-size relays. */
export const FARM_COLUMNS = 6;
/** A compact relay tile. */
export const COMPACT_RELAY = { width: 72, height: 30 } as const;
const COMPACT_GAP = 6;

/** How a farm's relays are gridded: tile size, gaps and columns. */
export function farmGrid(count: number): {
  cell: { width: number; height: number };
  gap: number;
  columns: number;
} {
  if (count <= COMPACT_FARM_ABOVE) {
    return { cell: FOREST_NODE_SIZE.relay, gap: GAP_X, columns: Math.max(1, Math.min(FARM_COLUMNS, count)) };
  }
  const fit = Math.floor((MAX_LINE_WIDTH - 2 * FARM_PAD + COMPACT_GAP) / (COMPACT_RELAY.width + COMPACT_GAP));
  return { cell: COMPACT_RELAY, gap: COMPACT_GAP, columns: Math.min(count, fit) };
}
export const FARM_PAD = 8;
/** Room for the farm's name and balance above its relays. */
export const FARM_HEADER = 40;
const STRIP_HEADER = 26;

function itemSize(item: ForestItem, model: ForestModel): { width: number; height: number } {
  switch (item.type) {
    case 'node':
      return FOREST_NODE_SIZE[model.nodes.get(item.id)?.kind ?? 'unknown'];
    case 'cluster':
      return FOREST_NODE_SIZE.cluster;
    case 'farm': {
      const count = model.farms.get(item.id)?.nodeIds.length ?? 0;
      const { cell, gap, columns } = farmGrid(count);
      const lines = Math.max(1, Math.ceil(count / columns));
      return {
        width: Math.max(220, columns * cell.width + (columns - 1) * gap + 2 * FARM_PAD),
        height: FARM_HEADER + lines * cell.height + (lines - 1) * gap + FARM_PAD,
      };
    }
  }
}

/** The node ids an item stands for (a farm: its relays; a cluster: its viewers' cluster id). */
function ownIds(item: ForestItem, model: ForestModel): string[] {
  return item.type === 'farm' ? (model.farms.get(item.id)?.nodeIds ?? []) : [item.id];
}

/**
 * Lays the forest out in rows, one per tier, top to bottom. Within a row, items are ordered by the
 * mean position of their parents (the barycentre heuristic: few crossings, one pass, no solver),
 * farms keep their relays together in a grid, and a row wider than {@link MAX_LINE_WIDTH} wraps.
 * Linear in items plus edges (and a sort per row), so a 2 000-node forest takes milliseconds.
 */
export function layoutForest(model: ForestModel): ForestLayout {
  const parentsOf = new Map<string, string[]>();
  for (const e of model.edges) {
    const list = parentsOf.get(e.to);
    if (list) list.push(e.from);
    else parentsOf.set(e.to, [e.from]);
  }
  const boxes = new Map<string, Box>();
  const bands: RowBand[] = [];
  const centre = (ids: readonly string[]): number | null => {
    let sum = 0;
    let count = 0;
    for (const id of ids) {
      for (const parent of parentsOf.get(id) ?? []) {
        const box = boxes.get(parent);
        if (box) {
          sum += box.x;
          count += 1;
        }
      }
    }
    return count > 0 ? sum / count : null;
  };
  const byCentre = <T>(list: T[], idsOf: (t: T) => string[]): T[] => {
    const keyed = list.map((t, i) => ({ t, i, c: centre(idsOf(t)) }));
    keyed.sort((a, b) => (a.c ?? Infinity) - (b.c ?? Infinity) || a.i - b.i);
    return keyed.map((k) => k.t);
  };

  let y = MARGIN;
  let width = 0;
  const lines: { items: { item: ForestItem; width: number; height: number }[]; width: number }[] = [];
  for (const row of model.rows) {
    const ordered = byCentre(row.items, (item) => ownIds(item, model));
    const rowLines: typeof lines = [];
    let line: (typeof lines)[number] = { items: [], width: 0 };
    for (const item of ordered) {
      const size = itemSize(item, model);
      const grown = line.width + (line.items.length > 0 ? GAP_X : 0) + size.width;
      if (line.items.length > 0 && grown > MAX_LINE_WIDTH) {
        rowLines.push(line);
        line = { items: [], width: 0 };
      }
      line.width += (line.items.length > 0 ? GAP_X : 0) + size.width;
      line.items.push({ item, ...size });
    }
    if (line.items.length > 0) rowLines.push(line);
    const top = y;
    for (const l of rowLines) {
      const height = Math.max(...l.items.map((i) => i.height));
      // Centred on the widest line seen so far; re-centred once every row is known (below).
      let x = GUTTER + MARGIN;
      for (const { item, width: w, height: h } of l.items) {
        const box = { x: x + w / 2, y: y + h / 2, width: w, height: h };
        placeItem(item, box, model, boxes, byCentre);
        x += w + GAP_X;
      }
      width = Math.max(width, l.width);
      lines.push(l);
      y += height + GAP_LINE;
    }
    y += GAP_ROW - GAP_LINE;
    bands.push({ tier: row.tier, top: top - GAP_ROW / 2 + 4, height: y - top });
  }
  // Centre every line on the widest one.
  for (const l of lines) {
    const shift = (width - l.width) / 2;
    if (shift <= 0) continue;
    for (const { item } of l.items) {
      const ids = item.type === 'farm' ? [item.id, ...ownIds(item, model)] : [item.id];
      for (const id of ids) {
        const box = boxes.get(id);
        if (box) box.x += shift;
      }
    }
  }
  let height = y - GAP_ROW + MARGIN;
  width += GUTTER + 2 * MARGIN;

  let unattachedTop: number | null = null;
  if (model.unattached.length > 0) {
    unattachedTop = height + (model.rows.length > 0 ? 10 : 0);
    const cell = FOREST_NODE_SIZE.relay.width + GAP_X;
    const rowHeight = FOREST_NODE_SIZE.relay.height + 10;
    const columns = Math.max(1, Math.floor((Math.max(width, 4 * cell) - 2 * MARGIN) / cell));
    model.unattached.forEach((node, i) => {
      const size = FOREST_NODE_SIZE[node.kind];
      boxes.set(node.id, {
        x: MARGIN + (i % columns) * cell + cell / 2,
        y: unattachedTop! + STRIP_HEADER + Math.floor(i / columns) * rowHeight + size.height / 2,
        ...size,
      });
    });
    width = Math.max(width, 2 * MARGIN + Math.min(columns, model.unattached.length) * cell);
    height = unattachedTop + STRIP_HEADER + Math.ceil(model.unattached.length / columns) * rowHeight + MARGIN;
  }
  return { structureKey: model.structureKey, width, height, rows: bands, boxes, unattachedTop };
}

/** Records an item's box; a farm's relays go in a grid inside it, ordered by their parents. */
function placeItem(
  item: ForestItem,
  box: Box,
  model: ForestModel,
  boxes: Map<string, Box>,
  byCentre: <T>(list: T[], idsOf: (t: T) => string[]) => T[],
): void {
  boxes.set(item.id, box);
  if (item.type !== 'farm') return;
  const left = box.x - box.width / 2 + FARM_PAD;
  const top = box.y - box.height / 2 + FARM_HEADER;
  const members = byCentre(model.farms.get(item.id)?.nodeIds ?? [], (id) => [id]);
  const { cell, gap, columns } = farmGrid(members.length);
  members.forEach((id, i) => {
    const column = i % columns;
    const line = Math.floor(i / columns);
    boxes.set(id, {
      x: left + column * (cell.width + gap) + cell.width / 2,
      y: top + line * (cell.height + gap) + cell.height / 2,
      width: cell.width,
      height: cell.height,
    });
  });
}

const cache = new Map<string, ForestLayout>();
const CACHE_SIZE = 8;

/**
 * {@link layoutForest} memoised by structure: while the same nodes, farms, clusters and edges are
 * drawn (only throughput, loads or cluster counts change), the same layout object comes back.
 */
export function cachedForestLayout(model: ForestModel): ForestLayout {
  const hit = cache.get(model.structureKey);
  if (hit) {
    cache.delete(model.structureKey);
    cache.set(model.structureKey, hit);
    return hit;
  }
  const fresh = layoutForest(model);
  cache.set(model.structureKey, fresh);
  if (cache.size > CACHE_SIZE) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  return fresh;
}
