import { AdminSnapshotSchema, planViolations } from '@p2pcdn/core';
import { describe, expect, it } from 'vitest';
import { SignalingError } from '../errors.ts';
import { stateDigest } from './digest.ts';
import { adminSnapshot } from './snapshot.ts';
import { FakeLink, LIVE, world } from './test-world.ts';

describe('Coordinator', () => {
  it('welcomes a node, activates a relay on the first join and sends parents to both', () => {
    const { c, connect } = world();
    const relay = connect('relay', 5000, 'relay-1');
    const viewer = connect('viewer', 0);
    expect(viewer.send({ type: 'join', streamId: 'live' })).toEqual({ stream: LIVE });
    expect(relay.link.take('parents')).toEqual([
      { type: 'parents', streamId: 'live', stream: LIVE, parents: [], origin: true },
    ]);
    expect(viewer.link.take('parents')).toEqual([
      {
        type: 'parents',
        streamId: 'live',
        stream: LIVE,
        parents: [{ id: relay.id, role: 'relay' }],
        origin: false,
      },
    ]);
    expect(planViolations(c.planner)).toEqual([]);
    expect(c.events.recent().map((e) => e.kind)).toEqual(['stream', 'join', 'join', 'activate', 'join']);
  });

  it('refuses messages before hello and a second hello, without changing anything', () => {
    const { c, connect } = world();
    const link = new FakeLink();
    const session = c.openSession(link);
    const before = stateDigest(c);
    expect(() => session.receive({ type: 'join', streamId: 'live' })).toThrow(
      expect.objectContaining({ kind: 'not-registered' }),
    );
    const viewer = connect('viewer', 0);
    const mid = stateDigest(c);
    expect(() =>
      viewer.send({
        type: 'hello',
        role: 'relay',
        region: 'x',
        capacity: { uploadKbps: 1, cacheBytes: 0 },
        agent: 'node',
        protocol: 1,
      }),
    ).toThrow(expect.objectContaining({ kind: 'already-registered' }));
    expect(stateDigest(c)).toEqual(mid);
    expect(mid).not.toEqual(before);
  });

  it('relays signals only along planned edges of the stream', () => {
    const { c, connect } = world();
    const relay = connect('relay', 5000);
    const a = connect('viewer', 0);
    const b = connect('viewer', 0);
    a.send({ type: 'join', streamId: 'live' });
    b.send({ type: 'join', streamId: 'live' });
    const offer = { type: 'offer', sdp: 'v=0' } as const;
    a.send({ type: 'signal', to: relay.id, streamId: 'live', signal: offer });
    expect(relay.link.take('signal')).toEqual([
      { type: 'signal', from: a.id, streamId: 'live', signal: offer },
    ]);
    const before = stateDigest(c);
    expect(() => a.send({ type: 'signal', to: b.id, streamId: 'live', signal: offer })).toThrow(
      expect.objectContaining({ kind: 'forbidden' }),
    );
    expect(() => a.send({ type: 'signal', to: 'nobody', streamId: 'live', signal: offer })).toThrow(
      SignalingError,
    );
    expect(b.link.take('signal')).toEqual([]);
    expect(stateDigest(c)).toEqual(before);
  });

  it('removes a node silent for three heartbeats and re-parents its children', async () => {
    const { c, clock, connect } = world();
    c.start();
    const r1 = connect('relay', 5000);
    const r2 = connect('relay', 5000);
    const v = connect('viewer', 0);
    v.send({ type: 'join', streamId: 'live' });
    expect(c.planner.member('live', v.id)?.parent).toBe(r1.id);
    r2.link.take('parents');
    v.link.take('parents');
    // r2 and v keep sending heartbeats; r1 goes silent.
    for (let i = 0; i < 4; i++) {
      await clock.advance(1000);
      for (const p of [r2, v])
        p.send({ type: 'stats', stats: { httpBytes: 0, p2pBytes: 0, uploadBytes: 0, links: [] } });
    }
    expect(c.nodes.has(r1.id)).toBe(false);
    expect(r1.link.closed).toMatch(/heartbeat/);
    expect(r2.link.take('parents')).toEqual([expect.objectContaining({ origin: true, parents: [] })]);
    expect(v.link.take('parents')).toEqual([
      expect.objectContaining({ parents: [{ id: r2.id, role: 'relay' }] }),
    ]);
    expect(c.events.recent().some((e) => e.kind === 'dead' && e.nodeId === r1.id)).toBe(true);
    c.stop();
  });

  it('moves the children of a leaving relay first and removes it once they confirm', async () => {
    const { c, clock, connect } = world();
    const r1 = connect('relay', 5000);
    const r2 = connect('relay', 5000);
    const v = connect('viewer', 0);
    v.send({ type: 'join', streamId: 'live' });
    v.link.take('parents');
    const leaving = r1.send({ type: 'leave' }) as Promise<unknown>;
    let done = false;
    void leaving.then(() => (done = true));
    expect(v.link.take('parents')).toEqual([
      expect.objectContaining({ parents: [{ id: r2.id, role: 'relay' }] }),
    ]);
    await clock.flush();
    expect(done).toBe(false);
    expect(c.nodes.has(r1.id)).toBe(true); // still serving until the child confirmed
    v.send({ type: 'connected', streamId: 'live', parentId: r2.id });
    await clock.flush();
    expect(done).toBe(true);
    expect(c.nodes.has(r1.id)).toBe(false);
    expect(r1.session.nodeId).toBeUndefined();
    expect(planViolations(c.planner)).toEqual([]);
  });

  it('finishes a leave after the timeout when a child never confirms', async () => {
    const { c, clock, connect } = world({ leaveTimeoutMs: 3000 });
    const r1 = connect('relay', 5000);
    connect('relay', 5000);
    const v = connect('viewer', 0);
    v.send({ type: 'join', streamId: 'live' });
    const leaving = r1.send({ type: 'leave' }) as Promise<unknown>;
    await clock.advance(2999);
    expect(c.nodes.has(r1.id)).toBe(true);
    await clock.advance(1);
    await leaving;
    expect(c.nodes.has(r1.id)).toBe(false);
  });

  it('picks another parent after parent-failed and refuses a stale report', () => {
    const { c, connect } = world();
    const relay = connect('relay', 5000);
    const a = connect('viewer', 3000);
    const b = connect('viewer', 0);
    a.send({ type: 'join', streamId: 'live' });
    b.send({ type: 'join', streamId: 'live' });
    b.link.take('parents');
    b.send({ type: 'parent-failed', streamId: 'live', parentId: relay.id, reason: 'ice failed' });
    expect(b.link.take('parents')).toEqual([
      expect.objectContaining({ parents: [{ id: a.id, role: 'viewer' }] }),
    ]);
    const before = stateDigest(c);
    expect(() =>
      b.send({ type: 'parent-failed', streamId: 'live', parentId: relay.id, reason: 'again' }),
    ).toThrow(expect.objectContaining({ kind: 'conflict' }));
    expect(stateDigest(c)).toEqual(before);
  });

  it('releases relays when the last viewer leaves and builds a valid admin snapshot', async () => {
    const { c, connect } = world();
    const relay = connect('relay', 5000);
    const v = connect('viewer', 0);
    v.send({ type: 'join', streamId: 'live' });
    v.send({ type: 'connected', streamId: 'live', parentId: relay.id });
    relay.send({
      type: 'stats',
      stats: {
        httpBytes: 1000,
        p2pBytes: 0,
        uploadBytes: 800,
        links: [{ peerId: v.id, bytesIn: 0, bytesOut: 800 }],
      },
    });
    v.send({ type: 'stats', stats: { httpBytes: 0, p2pBytes: 800, uploadBytes: 0, links: [] } });
    relay.send({ type: 'have', streamId: 'live', added: ['http://o/seg1.m4s'], removed: [] });
    const snapshot = adminSnapshot(c, () => 4242);
    expect(AdminSnapshotSchema.safeParse(snapshot).success).toBe(true);
    expect(snapshot.figures[0]).toMatchObject({
      viewers: 1,
      relays: 1,
      p2pShare: 1,
      originMeasuredBytes: 4242,
    });
    expect(snapshot.edges.find((e) => e.to === v.id)?.state).toBe('connected');
    expect(c.toc.holders('live', 'http://o/seg1.m4s')).toEqual([relay.id]);
    await v.send({ type: 'leave', streamId: 'live' });
    expect(relay.link.take('release')).toEqual([{ type: 'release', streamId: 'live' }]);
    expect(c.planner.members('live')).toEqual([]);
  });

  it('does not let a viewer report holdings of a stream it does not watch', () => {
    const { c, connect } = world();
    const v = connect('viewer', 0);
    const before = stateDigest(c);
    expect(() => v.send({ type: 'have', streamId: 'live', added: ['x'], removed: [] })).toThrow(
      expect.objectContaining({ kind: 'forbidden' }),
    );
    expect(stateDigest(c)).toEqual(before);
  });

  it('caps the upload a viewer claims, so a tab cannot attract more children than is plausible', () => {
    const { c, connect } = world();
    const tab = connect('viewer', 10_000_000);
    const relay = connect('relay', 10_000_000);
    expect(c.planner.node(tab.id)?.uploadKbps).toBe(100_000);
    expect(c.planner.node(relay.id)?.uploadKbps).toBe(10_000_000);
  });
});

describe('Coordinator with stripes', () => {
  it('gives a viewer one parent per stripe and accepts a confirmation of each', () => {
    const { c, connect } = world({ planner: { stripes: 2, warmupMs: 0, forecast: false } });
    const r1 = connect('relay', 5000, 'relay-1');
    const r2 = connect('relay', 5000, 'relay-2');
    const viewer = connect('viewer', 0);
    viewer.send({ type: 'join', streamId: 'live' });
    const [assigned] = viewer.link.take('parents');
    expect(assigned?.origin).toBe(false);
    expect(assigned?.parents.map((p) => p.id).sort()).toEqual([r1.id, r2.id].sort());
    expect(c.planner.member('live', viewer.id)?.stripes?.map((s) => s.stripe)).toEqual([0, 1]);
    for (const p of assigned?.parents ?? []) {
      expect(viewer.send({ type: 'connected', streamId: 'live', parentId: p.id })).toEqual({});
      expect(c.isConfirmed('live', viewer.id, p.id)).toBe(true);
    }
    expect(() => viewer.send({ type: 'connected', streamId: 'live', parentId: viewer.id })).toThrow(
      expect.objectContaining({ kind: 'conflict' }),
    );
    expect(planViolations(c.planner)).toEqual([]);
    expect(adminSnapshot(c, () => undefined).planner?.stripes).toBe(2);
  });

  it('tells only stripe 0’s head to fetch from the origin; stripe 1’s head pulls from it', () => {
    const { c, connect } = world({ planner: { stripes: 2, warmupMs: 0, forecast: false } });
    const r1 = connect('relay', 5000, 'relay-1');
    const r2 = connect('relay', 5000, 'relay-2');
    const viewer = connect('viewer', 0);
    viewer.send({ type: 'join', streamId: 'live' });
    const headsStripe0 = (id: string) =>
      c.planner.member('live', id)?.stripes?.find((s) => s.stripe === 0)?.parent === null;
    const [h0, h1] = headsStripe0(r1.id) ? [r1, r2] : [r2, r1];
    expect(h0.link.take('parents').at(-1)).toMatchObject({ parents: [], origin: true });
    expect(h1.link.take('parents').at(-1)).toMatchObject({
      parents: [{ id: h0.id, role: 'relay' }],
      origin: false,
    });
    expect(planViolations(c.planner)).toEqual([]);
  });

  it('falls back to one parent for both stripes when only one relay has room', () => {
    const { connect } = world({ planner: { stripes: 2, warmupMs: 0, forecast: false } });
    const relay = connect('relay', 5000);
    const viewer = connect('viewer', 0);
    viewer.send({ type: 'join', streamId: 'live' });
    expect(viewer.link.take('parents').at(-1)?.parents).toEqual([{ id: relay.id, role: 'relay' }]);
  });
});
