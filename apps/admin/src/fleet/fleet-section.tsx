import { useMemo, useState } from 'react';
import { useAdmin } from '../store/admin-store.ts';
import { fleetRows, type FleetSort, type FleetSortKey } from './fleet-rows.ts';
import { FleetTable } from './fleet-table.tsx';

/** Columns that read best largest first when the operator clicks them. */
const DESCENDING_FIRST = new Set<FleetSortKey>([
  'uploadKbps',
  'cacheBytes',
  'upKbps',
  'downKbps',
  'storeBytes',
  'stalls',
  'startupMs',
  'streams',
]);

/**
 * Rows drawn at first: with thousands of viewers, rendering every row each second would keep the
 * page busy; relays sort first, so they are always in view. Test id: `fleet-more`.
 */
export const FLEET_PAGE = 200;

/** The "Fleet" section: filter box and the node table. */
export function FleetSection() {
  const snapshot = useAdmin((s) => s.snapshot);
  const selectedNodeId = useAdmin((s) => s.selectedNodeId);
  const selectNode = useAdmin((s) => s.selectNode);
  const [sort, setSort] = useState<FleetSort>({ key: 'name', descending: false });
  const [query, setQuery] = useState('');
  const [limit, setLimit] = useState(FLEET_PAGE);
  const nodes = useMemo(() => snapshot?.nodes ?? [], [snapshot]);
  const rows = useMemo(() => fleetRows(nodes, sort, query), [nodes, sort, query]);
  const relays = nodes.filter((n) => n.role === 'relay').length;

  const onSort = (key: FleetSortKey) =>
    setSort((current) =>
      current.key === key
        ? { key, descending: !current.descending }
        : { key, descending: DESCENDING_FIRST.has(key) },
    );

  return (
    <section id="fleet" className="panel" aria-labelledby="fleet-title">
      <header className="panel-head">
        <h2 id="fleet-title">Fleet</h2>
        <span className="muted small">
          {relays} relays · {nodes.length - relays} other nodes
        </span>
        <input
          type="search"
          className="filter"
          placeholder="Filter by name, id, region, stream…"
          aria-label="Filter nodes"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
      </header>
      <FleetTable
        rows={rows.length > limit ? rows.slice(0, limit) : rows}
        now={snapshot?.at ?? 0}
        sort={sort}
        onSort={onSort}
        selectedId={selectedNodeId}
        onSelect={(id) => {
          selectNode(id);
          // The panel sits under the forest, far above the table.
          document.getElementById('sources')?.scrollIntoView?.({ behavior: 'smooth', block: 'start' });
        }}
      />
      {rows.length > limit && (
        <p className="fleet-more muted small" data-testid="fleet-more">
          Showing {limit} of {rows.length.toLocaleString('en')} nodes (filter to find one) ·{' '}
          <button type="button" className="link" onClick={() => setLimit(limit + FLEET_PAGE * 5)}>
            show {Math.min(FLEET_PAGE * 5, rows.length - limit)} more
          </button>
        </p>
      )}
    </section>
  );
}
