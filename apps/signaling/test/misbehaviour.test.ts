import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stateDigest } from '../src/index.ts';
import { LIVE, startTestStack, TestPeer, type TestStack } from './harness.ts';

let stack: TestStack;
let relay: TestPeer;
const peers: TestPeer[] = [];

async function peer(): Promise<TestPeer> {
  const p = await TestPeer.connect(stack.running.url);
  peers.push(p);
  return p;
}

/** A viewer of `live` whose parent is the relay. */
async function viewerUnderRelay(): Promise<TestPeer> {
  const v = await peer();
  await v.hello('viewer');
  await v.request({ type: 'join', streamId: 'live' });
  const parents = await v.next('parents');
  expect(parents.parents.map((p) => p.id)).toEqual([relay.nodeId]);
  return v;
}

const report = (v: TestPeer, peerId: string, extra: Record<string, unknown> = {}) =>
  v.request({ type: 'misbehaviour', streamId: 'live', peerId, offence: 'bad-segment', ...extra });

const misbehaviourEvents = () =>
  stack.running.coordinator.events.recent().filter((e) => e.kind === 'misbehaviour');

beforeEach(async () => {
  stack = await startTestStack();
  stack.running.coordinator.addStream(LIVE);
  relay = await peer();
  await relay.hello('relay', 20_000, 'poisoner');
});

afterEach(async () => {
  for (const p of peers.splice(0)) p.close();
  await stack.dispose();
});

describe('misbehaviour reports', () => {
  it('refuses reports that are malformed, about strangers or about oneself, changing nothing', async () => {
    const v = await viewerUnderRelay();
    const stranger = await peer();
    await stranger.hello('viewer');
    const digest = () => stateDigest(stack.running.coordinator);
    const before = digest();
    const cases: Array<[unknown, string]> = [
      [{ type: 'misbehaviour', streamId: 'live', peerId: relay.nodeId }, 'bad-request'],
      [{ type: 'misbehaviour', streamId: 'live', peerId: relay.nodeId, offence: 'evil' }, 'bad-request'],
      [{ type: 'misbehaviour', streamId: 'live', peerId: v.nodeId, offence: 'bad-segment' }, 'bad-request'],
      [
        { type: 'misbehaviour', streamId: 'nope', peerId: relay.nodeId, offence: 'bad-segment' },
        'unknown-stream',
      ],
      [{ type: 'misbehaviour', streamId: 'live', peerId: 'ghost', offence: 'bad-segment' }, 'unknown-peer'],
      [
        { type: 'misbehaviour', streamId: 'live', peerId: stranger.nodeId, offence: 'bad-block' },
        'forbidden',
      ],
    ];
    for (const [msg, code] of cases) {
      const ack = await v.request(msg);
      expect(ack.ok ? 'ok' : ack.error.code, JSON.stringify(msg)).toBe(code);
    }
    // A node outside the tree cannot accuse the relay either.
    const ack = await report(stranger, relay.nodeId);
    expect(ack.ok ? 'ok' : ack.error.code).toBe('forbidden');
    expect(digest()).toEqual(before);
    expect(misbehaviourEvents()).toEqual([]);
  });

  it('moves the reporter off the accused, and one accuser alone never gets it evicted', async () => {
    const v = await viewerUnderRelay();
    expect(await report(v, relay.nodeId, { segment: 'http://o.test/live/seg-1.m4s' })).toEqual({ ok: true });
    const moved = await v.next('parents');
    expect(moved.parents.map((p) => p.id)).not.toContain(relay.nodeId);
    // Once moved off, the same accuser has no edge to the relay left to report on.
    for (let i = 0; i < 5; i++) {
      const again = await report(v, relay.nodeId);
      expect(again.ok ? 'ok' : again.error.code).toBe('forbidden');
    }
    const c = stack.running.coordinator;
    expect(c.nodes.get(relay.nodeId)).toBeDefined();
    expect(c.misbehaviour.offenders()).toEqual([expect.objectContaining({ source: relay.nodeId, score: 1 })]);
    expect(misbehaviourEvents()).toHaveLength(1);
    expect(misbehaviourEvents()[0]?.message).toMatch(
      /reported poisoner: bad-segment .*seg-1\.m4s.*score 1 from 1/,
    );
  });

  it('evicts a relay reported by several viewers, closes it and refuses its name for a while', async () => {
    const viewers = [await viewerUnderRelay(), await viewerUnderRelay(), await viewerUnderRelay()];
    const gone = relay.disconnected();
    for (const v of viewers) expect(await report(v, relay.nodeId)).toEqual({ ok: true });
    await gone;
    const c = stack.running.coordinator;
    expect(c.nodes.get(relay.nodeId)).toBeUndefined();
    expect(c.planner.streamsOf(relay.nodeId)).toEqual([]);
    expect(misbehaviourEvents().map((e) => e.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/poisoner EVICTED from every tree: 3 bad-data reports from 3 reporters/),
        'relay poisoner was evicted',
      ]),
    );
    const back = await peer();
    await expect(back.hello('relay', 20_000, 'poisoner')).rejects.toThrow(/evicted/);
    await stack.clock.advance(11 * 60_000);
    const later = await peer();
    await expect(later.hello('relay', 20_000, 'poisoner')).resolves.toBeTruthy();
  });
});
