import { AdminSnapshotSchema, SNAPSHOT_PATTERN_LETTERS, type StripeFigures } from '@p2pcdn/core';
import { describe, expect, it } from 'vitest';
import { adminSnapshot, streamEdges } from './snapshot.ts';
import { world, type Peer } from './test-world.ts';

const striped = () => world({ planner: { stripes: 2, warmupMs: 0, forecast: false } });

const heartbeat = (peer: Peer, links: [string, number][], stripes?: StripeFigures[]) =>
  peer.send({
    type: 'stats',
    stats: {
      httpBytes: 0,
      p2pBytes: links.reduce((sum, [, bytes]) => sum + bytes, 0),
      uploadBytes: 0,
      links: links.map(([peerId, bytesIn]) => ({ peerId, bytesIn, bytesOut: 0 })),
      ...(stripes && { stripes }),
    },
  });

describe('streamEdges', () => {
  it('lists an edge per stripe, each from its own parent, with the child’s link rate', async () => {
    const { c, clock, connect } = striped();
    const r1 = connect('relay', 5000, 'relay-1');
    const r2 = connect('relay', 5000, 'relay-2');
    const v = connect('viewer', 0);
    v.send({ type: 'join', streamId: 'live' });
    const parents = new Map(c.planner.member('live', v.id)?.stripes?.map((s) => [s.stripe, s.parent]));
    v.send({ type: 'connected', streamId: 'live', parentId: parents.get(0) ?? '' });
    heartbeat(v, [
      [r1.id, 0],
      [r2.id, 0],
    ]);
    await clock.advance(1000);
    heartbeat(v, [
      [r1.id, 125_000],
      [r2.id, 62_500],
    ]);
    const kbpsOf = (id: string | null | undefined) => (id === r1.id ? 1000 : id === r2.id ? 500 : -1);
    const intoViewer = streamEdges(c, 'live').filter((e) => e.to === v.id);
    expect(intoViewer).toEqual([
      {
        streamId: 'live',
        from: parents.get(0),
        to: v.id,
        state: 'connected',
        kbps: kbpsOf(parents.get(0)),
        stripe: 0,
      },
      {
        streamId: 'live',
        from: parents.get(1),
        to: v.id,
        state: 'planned',
        kbps: kbpsOf(parents.get(1)),
        stripe: 1,
      },
    ]);
    // Every member's every stripe has its edge (relays' from the origin).
    const members = c.planner.members('live');
    const places = members.reduce((n, m) => n + (m.stripes?.length ?? 1), 0);
    expect(streamEdges(c, 'live')).toHaveLength(places);
    expect(AdminSnapshotSchema.safeParse(adminSnapshot(c, () => undefined)).success).toBe(true);
  });

  it('splits the link rate of a parent that feeds one child both stripes', async () => {
    const { c, clock, connect } = striped();
    const relay = connect('relay', 5000);
    const v = connect('viewer', 0);
    v.send({ type: 'join', streamId: 'live' });
    heartbeat(v, [[relay.id, 0]]);
    await clock.advance(1000);
    heartbeat(v, [[relay.id, 125_000]]);
    const intoViewer = streamEdges(c, 'live').filter((e) => e.to === v.id);
    expect(intoViewer.map((e) => [e.from, e.stripe, e.kbps])).toEqual([
      [relay.id, 0, 500],
      [relay.id, 1, 500],
    ]);
  });
});

describe('adminSnapshot striped pulls', () => {
  const figures = (over: Partial<StripeFigures> = {}): StripeFigures => ({
    streamId: 'live',
    pattern: 'AABAB',
    epoch: 4,
    sources: [
      { peerId: 'n1', letter: 'A', share: 0.6, bytesPerSecond: 150_000, outOfSequence: 3 },
      { peerId: 'n2', letter: 'B', share: 0.4, bytesPerSecond: 100_000.4, outOfSequence: 0 },
    ],
    ...over,
  });

  it('puts each member’s latest pattern and per-source share, rate and letter into its member entry', async () => {
    const { c, clock, connect } = striped();
    connect('relay', 5000, 'relay-1');
    connect('relay', 5000, 'relay-2');
    const v = connect('viewer', 0);
    v.send({ type: 'join', streamId: 'live' });
    await clock.advance(500);
    // Figures for a stream the node is not in are not kept.
    heartbeat(v, [], [figures({ streamId: 'other' }), figures()]);
    const snapshot = adminSnapshot(c, () => undefined);
    expect(AdminSnapshotSchema.safeParse(snapshot).success).toBe(true);
    const member = snapshot.members?.find((m) => m.nodeId === v.id);
    expect(member?.pull).toEqual({
      pattern: 'AABAB',
      patternLength: 5,
      epoch: 4,
      sources: [
        { peerId: 'n1', letter: 'A', share: 0.6, kbps: 1200, outOfSequence: 3 },
        { peerId: 'n2', letter: 'B', share: 0.4, kbps: 800, outOfSequence: 0 },
      ],
      reportedAt: 1500,
    });
    expect(snapshot.members?.filter((m) => m.pull)).toHaveLength(1);
    // The next heartbeat without stripes: the pull is gone.
    await clock.advance(1000);
    heartbeat(v, []);
    expect(adminSnapshot(c, () => undefined).members?.some((m) => m.pull)).toBe(false);
  });

  it('keeps a member entry small however long the pattern', () => {
    const { c, connect } = striped();
    connect('relay', 5000);
    const v = connect('viewer', 0);
    v.send({ type: 'join', streamId: 'live' });
    const sources = Array.from({ length: 16 }, (_, i) => ({
      peerId: `relay-with-a-long-name-${i.toString().padStart(2, '0')}`,
      letter: 'ABCDEFGHIJKLMNOP'[i] ?? 'A',
      share: 1 / 16,
      bytesPerSecond: 123_456.789,
      outOfSequence: 1_000_000,
    }));
    heartbeat(v, [], [figures({ pattern: 'ABCDEFGHIJKLMNOP'.repeat(64), sources })]);
    const snapshot = adminSnapshot(c, () => undefined);
    expect(AdminSnapshotSchema.safeParse(snapshot).success).toBe(true);
    const pull = snapshot.members?.find((m) => m.nodeId === v.id)?.pull;
    expect(pull?.pattern).toHaveLength(SNAPSHOT_PATTERN_LETTERS);
    expect(pull?.patternLength).toBe(1024);
    expect(JSON.stringify(pull).length).toBeLessThan(1800);
  });
});
