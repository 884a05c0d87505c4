import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { makeSnapshotFixture } from '../fixtures/snapshot-fixture.ts';
import { fleetRows } from './fleet-rows.ts';
import { FleetTable } from './fleet-table.tsx';

describe('fleet-table', () => {
  it('renders fleet-row-<id> for every node, relays first', () => {
    const snapshot = makeSnapshotFixture();
    const html = renderToStaticMarkup(
      <FleetTable
        rows={fleetRows(snapshot.nodes)}
        now={snapshot.at}
        sort={{ key: 'name', descending: false }}
        onSort={() => {}}
      />,
    );
    const ids = [...html.matchAll(/data-testid="fleet-row-([^"]+)"/g)].map((m) => m[1]);
    expect(ids.sort()).toEqual(snapshot.nodes.map((n) => n.id).sort());
    const first = html.indexOf('data-testid="fleet-row-');
    expect(html.slice(first, first + 200)).toContain('row-relay');
  });

  it('shows capacity in Mbit/s and MB, and the last heartbeat relative to the snapshot', () => {
    const snapshot = makeSnapshotFixture();
    const fra = snapshot.nodes.filter((n) => n.id === 'r-fra-1');
    const html = renderToStaticMarkup(
      <FleetTable
        rows={fra}
        now={fra[0]!.lastSeenAt + 4000}
        sort={{ key: 'name', descending: false }}
        onSort={() => {}}
      />,
    );
    expect(html).toContain('100 Mbit/s');
    expect(html).toContain('2,000 MB');
    expect(html).toContain('4 s ago');
  });

  it('marks the row of the node whose sources are shown, and makes rows selectable', () => {
    const snapshot = makeSnapshotFixture();
    const html = renderToStaticMarkup(
      <FleetTable
        rows={fleetRows(snapshot.nodes)}
        now={snapshot.at}
        sort={{ key: 'name', descending: false }}
        onSort={() => {}}
        selectedId="r-fra-1"
        onSelect={() => {}}
      />,
    );
    expect(html).toMatch(
      /data-testid="fleet-row-r-fra-1" class="row-relay selected selectable" aria-selected="true"/,
    );
    expect(html.match(/aria-selected="true"/g)).toHaveLength(1);
  });
});
