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

/** The "Fleet" section: filter box and the node table. */
export function FleetSection() {
  const snapshot = useAdmin((s) => s.snapshot);
  const [sort, setSort] = useState<FleetSort>({ key: 'name', descending: false });
  const [query, setQuery] = useState('');
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
      <FleetTable rows={rows} now={snapshot?.at ?? 0} sort={sort} onSort={onSort} />
    </section>
  );
}
