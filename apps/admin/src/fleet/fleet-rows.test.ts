import { describe, expect, it } from 'vitest';
import { makeSnapshotFixture } from '../fixtures/snapshot-fixture.ts';
import { fleetRows, matchesFilter } from './fleet-rows.ts';

describe('fleet-rows', () => {
  const { nodes } = makeSnapshotFixture();

  it('lists every node: relays first, then origins, then viewers', () => {
    const rows = fleetRows(nodes);
    expect(rows).toHaveLength(nodes.length);
    const roles = rows.map((n) => n.role);
    const order = { relay: 0, origin: 1, viewer: 2 };
    expect(roles.map((r) => order[r])).toEqual(roles.map((r) => order[r]).sort());
    expect(roles[0]).toBe('relay');
  });

  it('sorts within each role by the chosen column, both ways', () => {
    const up = fleetRows(nodes, { key: 'upKbps', descending: true });
    const relays = up.filter((n) => n.role === 'relay').map((n) => n.upKbps);
    expect(relays).toEqual([...relays].sort((a, b) => b - a));
    const down = fleetRows(nodes, { key: 'upKbps', descending: false });
    expect(down[0]?.role).toBe('relay');
  });

  it('puts nodes without a value last in either direction', () => {
    const asc = fleetRows(nodes, { key: 'bufferSec', descending: false });
    const desc = fleetRows(nodes, { key: 'bufferSec', descending: true });
    // relays report no buffer; viewers do: within viewers all have values
    for (const rows of [asc, desc])
      expect(rows.filter((n) => n.role === 'viewer').every((n) => n.bufferSec !== undefined)).toBe(true);
    const withGap = [
      { ...nodes[10]!, id: 'a', bufferSec: 3 },
      { ...nodes[10]!, id: 'b', bufferSec: undefined },
      { ...nodes[10]!, id: 'c', bufferSec: 9 },
    ].map(({ bufferSec, ...rest }) => (bufferSec === undefined ? rest : { ...rest, bufferSec }));
    expect(fleetRows(withGap, { key: 'bufferSec', descending: true }).map((n) => n.id)).toEqual([
      'c',
      'a',
      'b',
    ]);
    expect(fleetRows(withGap, { key: 'bufferSec', descending: false }).map((n) => n.id)).toEqual([
      'a',
      'c',
      'b',
    ]);
  });

  it('sorts names in natural order', () => {
    const named = ['viewer 10', 'viewer 2', 'viewer 1'].map((name, i) => ({
      ...nodes[10]!,
      id: `n${i}`,
      name,
    }));
    expect(fleetRows(named).map((n) => n.name)).toEqual(['viewer 1', 'viewer 2', 'viewer 10']);
  });

  it('filters on name, id, region and stream', () => {
    expect(fleetRows(nodes, undefined, 'sfo').map((n) => n.id)).toEqual(['r-sfo-1']);
    expect(fleetRows(nodes, undefined, 'DEMO-VOD').every((n) => n.streams.includes('demo-vod'))).toBe(true);
    expect(matchesFilter(nodes[0]!, '   ')).toBe(true);
  });
});
