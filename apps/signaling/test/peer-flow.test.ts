import { planViolations, WelcomeSchema } from '@p2pcdn/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIVE, startTestStack, TestPeer, type TestStack } from './harness.ts';

let stack: TestStack;
const peers: TestPeer[] = [];

async function peer(): Promise<TestPeer> {
  const p = await TestPeer.connect(stack.running.url);
  peers.push(p);
  return p;
}

beforeEach(async () => {
  stack = await startTestStack({ leaveTimeoutMs: 3000 });
  stack.running.coordinator.addStream(LIVE);
});

afterEach(async () => {
  for (const p of peers.splice(0)) p.close();
  await stack.dispose();
});

describe('peer namespace', () => {
  it('welcomes a node, and answers a join with the stream before the parents', async () => {
    const relay = await peer();
    const welcome = await relay.request({
      type: 'hello',
      role: 'relay',
      region: 'local',
      capacity: { uploadKbps: 20_000, cacheBytes: 1 },
      agent: 'node',
      protocol: 1,
      name: 'relay-1',
    });
    if (!welcome.ok) throw new Error(welcome.error.message);
    const { ok: _ok, ...payload } = welcome;
    const parsed = WelcomeSchema.parse(payload);
    expect(parsed).toMatchObject({ iceServers: [], heartbeatMs: 1000 });
    relay.nodeId = parsed.nodeId;

    const viewer = await peer();
    await viewer.hello('viewer');
    expect(await viewer.request({ type: 'join', streamId: 'live' })).toEqual({ ok: true, stream: LIVE });
    const parents = await viewer.next('parents');
    expect(parents).toEqual({
      type: 'parents',
      streamId: 'live',
      stream: LIVE,
      parents: [{ id: relay.nodeId, role: 'relay' }],
      origin: false,
    });
    expect(viewer.arrivals.slice(-2)).toEqual(['ack:join', 'parents']);
    expect(await relay.next('parents')).toMatchObject({ origin: true, parents: [] });
  });

  it('relays signals along planned edges only', async () => {
    const relay = await peer();
    await relay.hello('relay', 20_000);
    const a = await peer();
    await a.hello('viewer');
    const b = await peer();
    await b.hello('viewer');
    await a.request({ type: 'join', streamId: 'live' });
    await b.request({ type: 'join', streamId: 'live' });

    const offer = { type: 'offer', sdp: 'v=0 fake' };
    expect(await a.request({ type: 'signal', to: relay.nodeId, streamId: 'live', signal: offer })).toEqual({
      ok: true,
    });
    expect(await relay.next('signal')).toEqual({
      type: 'signal',
      from: a.nodeId,
      streamId: 'live',
      signal: offer,
    });
    const answer = { type: 'answer', sdp: 'v=0 fake' };
    await relay.request({ type: 'signal', to: a.nodeId, streamId: 'live', signal: answer });
    expect(await a.next('signal')).toMatchObject({ from: relay.nodeId, signal: answer });

    const refused = await a.request({ type: 'signal', to: b.nodeId, streamId: 'live', signal: offer });
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await b.sync();
    expect(b.inbox.filter((m) => m.type === 'signal')).toEqual([]);
  });

  it('removes a node that misses three heartbeats and re-parents its children', async () => {
    const r1 = await peer();
    await r1.hello('relay', 20_000);
    const r2 = await peer();
    await r2.hello('relay', 20_000);
    const v = await peer();
    await v.hello('viewer');
    await v.request({ type: 'join', streamId: 'live' });
    expect((await v.next('parents')).parents).toEqual([{ id: r1.nodeId, role: 'relay' }]);

    const gone = r1.disconnected();
    for (let i = 0; i < 4; i++) {
      await stack.clock.advance(1000);
      await r2.sync();
      await v.sync();
    }
    await gone;
    expect((await v.next('parents')).parents).toEqual([{ id: r2.nodeId, role: 'relay' }]);
    expect(await r2.next('parents', (m) => m.origin)).toMatchObject({ origin: true });
    const { coordinator } = stack.running;
    expect(coordinator.nodes.has(r1.nodeId)).toBe(false);
    expect(coordinator.events.recent().some((e) => e.kind === 'dead' && e.nodeId === r1.nodeId)).toBe(true);
    expect(planViolations(coordinator.planner)).toEqual([]);
  });

  it('re-parents the children of a node whose socket disconnects', async () => {
    const r1 = await peer();
    await r1.hello('relay', 20_000);
    const v = await peer();
    await v.hello('viewer');
    await v.request({ type: 'join', streamId: 'live' });
    await v.next('parents');
    r1.close();
    expect(await v.next('parents')).toMatchObject({ origin: true, parents: [] });
  });

  it('on a graceful leave moves the children first and acks once they confirmed', async () => {
    const r1 = await peer();
    await r1.hello('relay', 20_000);
    const r2 = await peer();
    await r2.hello('relay', 20_000);
    const v = await peer();
    await v.hello('viewer');
    await v.request({ type: 'join', streamId: 'live' });
    await v.next('parents');

    let acked = false;
    const leaving = r1.request({ type: 'leave' }).then((ack) => {
      acked = true;
      return ack;
    });
    const moved = await v.next('parents');
    expect(moved.parents).toEqual([{ id: r2.nodeId, role: 'relay' }]);
    await v.sync();
    expect(acked).toBe(false);
    expect(stack.running.coordinator.nodes.has(r1.nodeId)).toBe(true);

    await v.request({ type: 'connected', streamId: 'live', parentId: r2.nodeId });
    expect(await leaving).toEqual({ ok: true });
    expect(stack.running.coordinator.nodes.has(r1.nodeId)).toBe(false);
    // The node may say hello again on the same connection.
    expect((await r1.request({ type: 'join', streamId: 'live' })).ok).toBe(false);
    await r1.hello('relay', 20_000);
  });

  it('finds another parent after parent-failed', async () => {
    const relay = await peer();
    await relay.hello('relay', 20_000);
    const a = await peer();
    await a.hello('viewer', 5000);
    const b = await peer();
    await b.hello('viewer');
    await a.request({ type: 'join', streamId: 'live' });
    await b.request({ type: 'join', streamId: 'live' });
    await b.next('parents');
    const ack = await b.request({
      type: 'parent-failed',
      streamId: 'live',
      parentId: relay.nodeId,
      reason: 'ice',
    });
    expect(ack).toEqual({ ok: true });
    expect((await b.next('parents')).parents).toEqual([{ id: a.nodeId, role: 'viewer' }]);
  });

  it('releases the relays when the last viewer leaves', async () => {
    const relay = await peer();
    await relay.hello('relay', 20_000);
    const v = await peer();
    await v.hello('viewer');
    await v.request({ type: 'join', streamId: 'live' });
    expect(await v.request({ type: 'leave', streamId: 'live' })).toEqual({ ok: true });
    expect(await relay.next('release')).toEqual({ type: 'release', streamId: 'live' });
  });
});
