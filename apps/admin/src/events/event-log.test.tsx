import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { EventList } from './event-log.tsx';

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
