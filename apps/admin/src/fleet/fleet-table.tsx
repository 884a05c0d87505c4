/**
 * The relay fleet table: every node of the snapshot, relays first.
 *
 * Test ids (Playwright relies on them):
 * - `fleet-row-<nodeId>` on every node's `<tr>` (every node of the snapshot, unless filtered).
 * - `fleet-table` on the `<table>`.
 * A click on a row (or Enter) shows that node's sources in the sources panel.
 */
import type { TopologyNode } from '@p2pcdn/core';
import { FLEET_COLUMNS } from './fleet-columns.tsx';
import type { FleetSort, FleetSortKey } from './fleet-rows.ts';

/** Props of {@link FleetTable}. */
export interface FleetTableProps {
  /** Rows in display order (see `fleetRows`). */
  rows: readonly TopologyNode[];
  /** Snapshot time, for "last seen". */
  now: number;
  sort: FleetSort;
  onSort(key: FleetSortKey): void;
  /** The node whose sources are shown (its row is marked). */
  selectedId?: string | null;
  /** Called with a row's node when the row is clicked (or Enter pressed on it). */
  onSelect?: (nodeId: string) => void;
}

/** A dense, sortable table of nodes. */
export function FleetTable({ rows, now, sort, onSort, selectedId = null, onSelect }: FleetTableProps) {
  return (
    <div className="table-scroll">
      <table className="fleet" data-testid="fleet-table">
        <thead>
          <tr>
            {FLEET_COLUMNS.map((column) => {
              const sortable = column.key !== 'role';
              const active = sortable && sort.key === column.key;
              return (
                <th
                  key={column.key}
                  scope="col"
                  className={column.numeric ? 'num' : undefined}
                  title={column.title}
                  aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : undefined}
                >
                  {column.key === 'role' ? (
                    column.label
                  ) : (
                    <button type="button" onClick={() => onSort(column.key as FleetSortKey)}>
                      {column.label}
                      <span className="sort-mark">{active ? (sort.descending ? '▼' : '▲') : ''}</span>
                    </button>
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.map((node) => (
            <tr
              key={node.id}
              data-testid={`fleet-row-${node.id}`}
              className={`row-${node.role}${node.id === selectedId ? ' selected' : ''}${onSelect ? ' selectable' : ''}`}
              aria-selected={onSelect ? node.id === selectedId : undefined}
              tabIndex={onSelect ? 0 : undefined}
              onClick={onSelect && (() => onSelect(node.id))}
              onKeyDown={
                onSelect &&
                ((e) => {
                  if (e.key === 'Enter') onSelect(node.id);
                })
              }
            >
              {FLEET_COLUMNS.map((column) => (
                <td key={column.key} className={column.numeric ? 'num' : undefined}>
                  {column.cell(node, now)}
                </td>
              ))}
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={FLEET_COLUMNS.length} className="empty">
                No nodes.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
