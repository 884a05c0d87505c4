import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { makeForestFixture } from '../fixtures/forest-fixture.ts';
import { nodeSources } from './node-sources.ts';
import { SourcesPanel } from './sources-panel.tsx';

const snapshot = makeForestFixture({ tick: 3 });
const render = (nodeId: string, at = snapshot.at): string =>
  renderToStaticMarkup(
    <SourcesPanel sources={nodeSources(snapshot, nodeId)} now={at} onClose={() => {}} onSelect={() => {}} />,
  );

describe('sources-panel', () => {
  it('draws the pattern letter by letter and a row per source with its share, rate and out-of-sequence count', () => {
    const html = render('v-live-0002');
    const pull = snapshot.members?.find((m) => m.nodeId === 'v-live-0002')?.pull;
    const pattern = html.match(/data-testid="sources-pattern-demo-live"[^>]*>(.*?)<\/div>/)?.[1] ?? '';
    const letters = [...pattern.matchAll(/class="pattern-cell"[^>]*>([A-Za-z0-9])</g)].map((m) => m[1]);
    expect(letters.join('')).toBe(pull?.pattern);
    for (const source of pull?.sources ?? []) {
      const row =
        html.match(new RegExp(`data-testid="source-row-demo-live-${source.peerId}".*?</tr>`))?.[0] ?? '';
      expect(row).toContain(`>${source.letter}<`);
      expect(row).toContain(`${(source.share * 100).toFixed(1)}%`);
      expect(row).toContain(`>${source.outOfSequence}<`);
    }
    expect(html).toMatch(/class="num warn">\d+</); // r-nyc-1 delivers out of sequence
    expect(html).toContain('reported now');
  });

  it('marks a draining source as not planned and a planned parent as not linked yet', () => {
    expect(render('v-live-0007')).toMatch(/source-row-demo-live-r-nyc-3" class="unplanned".*not planned/);
    const waiting =
      render('v-live-0039').match(/data-testid="sources-waiting-demo-live".*?<\/ul>/)?.[0] ?? '';
    expect(waiting).toContain('nyc-4.relays.example');
    expect(waiting).toContain('planned, link not confirmed yet');
  });

  it('says when a pattern was cut, when nothing is pulled striped, and when the node left', () => {
    const long = structuredClone(snapshot);
    const member = long.members?.find((m) => m.nodeId === 'v-live-0002');
    if (member?.pull) member.pull.patternLength = 1024;
    const html = renderToStaticMarkup(
      <SourcesPanel
        sources={nodeSources(long, 'v-live-0002')}
        now={long.at}
        onClose={() => {}}
        onSelect={() => {}}
      />,
    );
    expect(html).toContain(`+${1024 - (member?.pull?.pattern.length ?? 0)} more letters`);
    expect(render('r-fra-1')).toContain('No striped pull reported for this stream.');
    expect(render('r-fra-1')).toContain('fetched over HTTP');
    expect(render('gone-node')).toContain('This node has left.');
  });
});
