import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { AdminEvent } from '@p2pcdn/core';
import { EVENT_KINDS, EventList, TREE_KINDS, filterEvents } from './event-log.tsx';

describe('event-log', () => {
  it('renders each event with a kind badge, its tags and message, in the given order', () => {
    const html = renderToStaticMarkup(
      <EventList
        events={[
          { at: 2000, kind: 'dead', nodeId: 'r-1', message: 'relay r-1 missed 3 heartbeats' },
          { at: 1000, kind: 'join', streamId: 'demo-live', message: 'viewer joined' },
        ]}
      />,
    );
    expect(html).toContain('data-testid="event-dead"');
    expect(html).toContain('class="kind kind-join"');
    expect(html.indexOf('missed 3 heartbeats')).toBeLessThan(html.indexOf('viewer joined'));
    expect(html).toContain('>demo-live<');
  });

  it('says so when there is nothing to show', () => {
    expect(renderToStaticMarkup(<EventList events={[]} />)).toContain('No events.');
  });
});

describe('filterEvents', () => {
  const events: AdminEvent[] = [
    { at: 5, kind: 'distribute', streamId: 'demo-live', nodeId: 'r-1', message: 'r-1 over high water' },
    { at: 4, kind: 'consolidate', streamId: 'demo-vod', nodeId: 'r-2', message: 'r-2 under low water' },
    { at: 3, kind: 'join', streamId: 'demo-live', message: 'viewer joined' },
    { at: 2, kind: 'provision', streamId: 'demo-live', nodeId: 'r-3', message: 'forecast: r-3 activated' },
    { at: 1, kind: 'dead', nodeId: 'r-4', message: 'relay r-4 missed 3 heartbeats' },
  ];
  const treeOnly = new Set(EVENT_KINDS.filter((k) => !TREE_KINDS.has(k)));

  it('keeps one stream’s events, newest first', () => {
    const live = filterEvents(events, { hidden: new Set(), streamId: 'demo-live' });
    expect(live.map((e) => e.at)).toEqual([5, 3, 2]);
  });

  it('keeps only the planner’s tree changes with the preset', () => {
    expect(filterEvents(events, { hidden: treeOnly, streamId: null }).map((e) => e.kind)).toEqual([
      'distribute',
      'consolidate',
      'provision',
    ]);
    expect(filterEvents(events, { hidden: treeOnly, streamId: 'demo-vod' }).map((e) => e.kind)).toEqual([
      'consolidate',
    ]);
  });

  it('shows everything, events without a stream included, with no filter', () => {
    expect(filterEvents(events, { hidden: new Set(), streamId: null })).toEqual(events);
  });
});
