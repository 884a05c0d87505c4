import type { TopologyNode } from '@p2pcdn/core';

/** Columns the fleet table can be sorted by. */
export type FleetSortKey =
  | 'name'
  | 'id'
  | 'agent'
  | 'region'
  | 'uploadKbps'
  | 'cacheBytes'
  | 'streams'
  | 'upKbps'
  | 'downKbps'
  | 'storeBytes'
  | 'bufferSec'
  | 'startupMs'
  | 'stalls'
  | 'lastSeenAt';

/** Sort order of the fleet table (always within the role groups). */
export interface FleetSort {
  key: FleetSortKey;
  descending: boolean;
}

/** Relays first, then origins, then viewers. */
const ROLE_ORDER: Record<TopologyNode['role'], number> = { relay: 0, origin: 1, viewer: 2 };

function sortValue(node: TopologyNode, key: FleetSortKey): string | number | undefined {
  switch (key) {
    case 'name':
      return node.name.toLowerCase() || node.id;
    case 'id':
    case 'agent':
    case 'region':
    case 'upKbps':
    case 'downKbps':
    case 'storeBytes':
    case 'bufferSec':
    case 'startupMs':
    case 'stalls':
    case 'lastSeenAt':
      return node[key];
    case 'uploadKbps':
    case 'cacheBytes':
      return node.capacity?.[key];
    case 'streams':
      return node.streams.length;
  }
}

/** Natural order, so `viewer 2` comes before `viewer 10`; one collator (localeCompare with options builds one per call). */
const NATURAL = new Intl.Collator('en', { numeric: true });

function compareValues(a: string | number | undefined, b: string | number | undefined): number {
  // Missing values sort last whatever the direction.
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return NATURAL.compare(String(a), String(b));
}

/** True when `query` (case-insensitive) occurs in the node's name, id, region, role, agent or streams. */
export function matchesFilter(node: TopologyNode, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return [node.name, node.id, node.region ?? '', node.role, node.agent, ...node.streams].some((field) =>
    field.toLowerCase().includes(q),
  );
}

/**
 * The fleet table's rows: filtered, grouped by role (relays first), sorted within each group by
 * `sort`, ties broken by id so rows do not jump between snapshots.
 */
export function fleetRows(
  nodes: readonly TopologyNode[],
  sort: FleetSort = { key: 'name', descending: false },
  query = '',
): TopologyNode[] {
  return nodes
    .filter((n) => matchesFilter(n, query))
    .sort((a, b) => {
      const byRole = ROLE_ORDER[a.role] - ROLE_ORDER[b.role];
      if (byRole !== 0) return byRole;
      const va = sortValue(a, sort.key);
      const vb = sortValue(b, sort.key);
      const missing = va === undefined || vb === undefined;
      const byKey = compareValues(va, vb);
      if (byKey !== 0) return sort.descending && !missing ? -byKey : byKey;
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
}
