import type { AdminSnapshot } from '@p2pcdn/core';
import { describe, expect, it } from 'vitest';
import { makeForestFixture } from '../fixtures/forest-fixture.ts';
import { LIVE, VOD, makeSnapshotFixture } from '../fixtures/snapshot-fixture.ts';
import { stripeColor } from '../forest/forest-style.ts';
import { UNPLANNED_SOURCE_COLORS, edgeSources, nodeSources, patternRuns } from './node-sources.ts';

describe('node-sources', () => {
  const snapshot = makeForestFixture({ tick: 3 });

  it('lists a striped viewer’s sources in letter order, coloured by the stripe each carries', () => {
    const { node, streams } = nodeSources(snapshot, 'v-live-0007');
    expect(node?.role).toBe('viewer');
    expect(streams.map((s) => s.streamId)).toEqual([LIVE]);
    const pull = streams[0]?.pull;
    expect(pull?.sources.map((s) => [s.letter, s.peerId, s.stripes])).toEqual([
      ['A', 'r-nyc-1', [0]],
      ['B', 'r-nyc-2', [1]],
      // Draining: a source of the pull the plan no longer has it use.
      ['C', 'r-nyc-3', []],
    ]);
    expect(pull?.sources.map((s) => s.color)).toEqual([
      stripeColor(0),
      stripeColor(1),
      UNPLANNED_SOURCE_COLORS[0],
    ]);
    expect(pull?.sources.reduce((sum, s) => sum + s.share, 0)).toBeCloseTo(1, 9);
    expect(pull?.totalKbps).toBe(pull?.sources.reduce((sum, s) => sum + s.kbps, 0));
    // The runs spell the pattern, each in its source's colour.
    expect(pull?.runs.map((r) => r.letter.repeat(r.length)).join('')).toBe(pull?.pattern);
    expect(pull?.runs.find((r) => r.letter === 'B')?.color).toBe(stripeColor(1));
    expect(streams[0]?.parents.every((p) => p.pulling)).toBe(true);
  });

  it('names a planned parent the node does not pull from yet', () => {
    const [live] = nodeSources(snapshot, 'v-live-0039').streams;
    expect(live?.pull?.sources.map((s) => s.letter)).toEqual(['A']);
    expect(live?.parents.filter((p) => !p.pulling)).toEqual([
      { stripe: 1, from: 'r-nyc-4', name: 'nyc-4.relays.example', state: 'planned', kbps: 0, pulling: false },
    ]);
  });

  it('shows a relay’s parents per stream and no pull, and an unknown node as gone', () => {
    const relay = nodeSources(snapshot, 'r-fra-1');
    expect(relay.streams.map((s) => [s.streamId, s.tier, s.pull])).toEqual([
      [LIVE, 1, null],
      [VOD, 1, null],
    ]);
    expect(relay.streams[0]?.parents.map((p) => [p.stripe, p.from, p.name])).toEqual([
      [0, 'origin:demo-live', 'origin (HTTP)'],
    ]);
    expect(nodeSources(snapshot, 'nobody')).toEqual({ nodeId: 'nobody', node: undefined, streams: [] });
  });

  it('falls back to the edges without tree members (skeleton planner)', () => {
    const skeleton = makeSnapshotFixture();
    const edge = skeleton.edges.find((e) => !e.from.startsWith('origin:'));
    const { streams } = nodeSources(skeleton, edge?.to ?? '');
    expect(streams.map((s) => [s.streamId, s.tier, s.pull])).toEqual([[edge?.streamId, null, null]]);
    expect(streams[0]?.parents.map((p) => p.from)).toContain(edge?.from);
  });

  it('colours a pattern letter no source claims in grey', () => {
    expect(patternRuns('AAB', (l) => (l === 'A' ? '#111' : '#cbd5e1'))).toEqual([
      { letter: 'A', length: 2, color: '#111' },
      { letter: 'B', length: 1, color: '#cbd5e1' },
    ]);
    expect(patternRuns('', () => '#000')).toEqual([]);
  });

  it('indexes every pull’s sources by stream, source and child for the forest', () => {
    const members: NonNullable<AdminSnapshot['members']> = snapshot.members ?? [];
    const index = edgeSources(members);
    expect(index.get(`${LIVE}|r-nyc-2|v-live-0004`)).toMatchObject({ letter: 'A', share: 0.3 });
    const sources = members.reduce((n, m) => n + (m.pull?.sources.length ?? 0), 0);
    expect(index.size).toBe(sources);
  });
});
