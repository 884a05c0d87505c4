import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stateDigest } from '../src/index.ts';
import { LIVE, startTestStack, TestPeer, type TestStack } from './harness.ts';

let stack: TestStack;
let relay: TestPeer;
let good: TestPeer;
const peers: TestPeer[] = [];

async function peer(): Promise<TestPeer> {
  const p = await TestPeer.connect(stack.running.url);
  peers.push(p);
  return p;
}

/** The well-behaved viewer still gets answers, and its signals still reach its parent. */
async function goodClientStillServed(): Promise<void> {
  const offer = { type: 'offer', sdp: 'v=0 still here' };
  expect(await good.request({ type: 'signal', to: relay.nodeId, streamId: 'live', signal: offer })).toEqual({
    ok: true,
  });
  expect(await relay.next('signal', (m) => m.from === good.nodeId)).toMatchObject({ signal: offer });
}

beforeEach(async () => {
  stack = await startTestStack({ rateLimit: { burst: 40, perSecond: 1 } });
  stack.running.coordinator.addStream(LIVE);
  relay = await peer();
  await relay.hello('relay', 20_000);
  good = await peer();
  await good.hello('viewer');
  await good.request({ type: 'join', streamId: 'live' });
  await good.next('parents');
});

afterEach(async () => {
  for (const p of peers.splice(0)) p.close();
  await stack.dispose();
});

const hello = {
  type: 'hello',
  role: 'viewer',
  region: 'x',
  capacity: { uploadKbps: 0, cacheBytes: 0 },
  agent: 'node',
  protocol: 1,
};

describe('hostile input on /peer', () => {
  it('refuses malformed, unknown and out-of-order messages with a code and changes nothing', async () => {
    const bad = await peer();
    const digest = () => stateDigest(stack.running.coordinator);
    const before = digest();
    const cases: Array<[unknown, string]> = [
      [42, 'bad-request'],
      [null, 'bad-request'],
      ['hello', 'bad-request'],
      [{ type: 'teleport' }, 'bad-request'],
      [{ type: 'join' }, 'bad-request'],
      [{ type: 'join', streamId: '../../etc' }, 'bad-request'],
      [{ ...hello, protocol: 2 }, 'bad-request'],
      [{ ...hello, extra: true }, 'bad-request'],
      [{ type: 'join', streamId: 'live' }, 'not-registered'],
      [
        { type: 'signal', to: relay.nodeId, streamId: 'live', signal: { type: 'offer', sdp: 'x' } },
        'not-registered',
      ],
      [{ type: 'stats', stats: { httpBytes: -1, p2pBytes: 0, uploadBytes: 0, links: [] } }, 'bad-request'],
      [{ type: 'have', streamId: 'live', added: Array(513).fill('k'), removed: [] }, 'bad-request'],
      [{ type: 'join', streamId: 'live', pad: 'x'.repeat(70_000) }, 'too-large'],
    ];
    for (const [msg, code] of cases) {
      const ack = await bad.request(msg);
      expect(ack, JSON.stringify(msg).slice(0, 60)).toMatchObject({ ok: false, error: { code } });
      if (!ack.ok) expect(ack.error.message.length).toBeGreaterThan(0);
    }
    expect(await bad.request({ type: 'join', streamId: 'live' }, 'join')).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: expect.stringContaining('unknown event') },
    });
    // Without an ack the refusal comes back as an error message.
    bad.socket.emit('msg', { type: 'join', streamId: 'live' });
    expect(await bad.next('error')).toMatchObject({ error: { code: 'not-registered' } });
    expect(digest()).toEqual(before);
    await goodClientStillServed();
  });

  it('refuses a registered node’s invalid requests without changing anything', async () => {
    const bad = await peer();
    await bad.hello('viewer');
    const digest = () => stateDigest(stack.running.coordinator);
    const before = digest();
    const cases: Array<[unknown, string]> = [
      [hello, 'already-registered'],
      [{ type: 'join', streamId: 'nope' }, 'unknown-stream'],
      [
        { type: 'signal', to: good.nodeId, streamId: 'live', signal: { type: 'offer', sdp: 'x' } },
        'forbidden',
      ],
      [
        { type: 'signal', to: relay.nodeId, streamId: 'live', signal: { type: 'offer', sdp: 'x' } },
        'forbidden',
      ],
      [{ type: 'connected', streamId: 'live', parentId: relay.nodeId }, 'conflict'],
      [{ type: 'parent-failed', streamId: 'live', parentId: relay.nodeId, reason: 'x' }, 'conflict'],
      [{ type: 'leave', streamId: 'live' }, 'conflict'],
      [{ type: 'have', streamId: 'live', added: ['k'], removed: [] }, 'forbidden'],
      // A viewer claiming to consolidate or distribute a stream it does not serve.
      [{ type: 'consolidate', streamId: 'live', load: 0 }, 'forbidden'],
      [{ type: 'distribute', streamId: 'live', load: 1 }, 'forbidden'],
      [{ type: 'distribute', streamId: 'nope', load: 1 }, 'unknown-stream'],
      [{ type: 'distribute', streamId: 'live', load: -1 }, 'bad-request'],
      [{ type: 'consolidate', streamId: 'live', load: 'low' }, 'bad-request'],
    ];
    for (const [msg, code] of cases) {
      expect(await bad.request(msg), JSON.stringify(msg)).toMatchObject({ ok: false, error: { code } });
    }
    expect(digest()).toEqual(before);
    await goodClientStillServed();
  });

  it('refuses a relay’s grow and shrink requests that its load contradicts, or that come too often', async () => {
    const digest = () => stateDigest(stack.running.coordinator);
    const before = digest();
    const cases: Array<[unknown, string]> = [
      // The relay feeds one viewer: it may not claim a load below the high-water mark.
      [{ type: 'distribute', streamId: 'live', load: 0.5 }, 'conflict'],
      [{ type: 'consolidate', streamId: 'live', load: 0.9 }, 'conflict'],
    ];
    for (const [msg, code] of cases) {
      expect(await relay.request(msg), JSON.stringify(msg)).toMatchObject({ ok: false, error: { code } });
    }
    expect(digest()).toEqual(before);
    // A plausible request is answered (declined: one viewer is nothing to distribute), repeats are not.
    const acks = [];
    for (let i = 0; i < 5; i++)
      acks.push(await relay.request({ type: 'distribute', streamId: 'live', load: 0.95 }));
    expect(acks[0]).toEqual({ ok: true, changed: false });
    for (const ack of acks.slice(1))
      expect(ack).toMatchObject({ ok: false, error: { code: 'rate-limited' } });
    await goodClientStillServed();
  });

  it('drops a connection that sends a packet over the size limit and keeps serving the others', async () => {
    const bad = await peer();
    const before = stateDigest(stack.running.coordinator);
    const gone = bad.disconnected();
    bad.socket.emit('msg', { type: 'join', streamId: 'live', pad: 'x'.repeat(200_000) });
    await gone;
    expect(stateDigest(stack.running.coordinator)).toEqual(before);
    await goodClientStillServed();
  });

  it('rate-limits a flooding socket, then disconnects it, without affecting others', async () => {
    const bad = await peer();
    const acks = await Promise.all(
      Array.from({ length: 45 }, () => bad.request({ type: 'join', streamId: 'live' })),
    );
    expect(acks.filter((a) => !a.ok && a.error.code === 'rate-limited').length).toBe(5);
    await goodClientStillServed();
    const gone = bad.disconnected();
    for (let i = 0; i < 400; i++) bad.socket.emit('msg', { type: 'join', streamId: 'live' });
    await gone;
    expect(stack.running.coordinator.events.recent().at(-1)).toMatchObject({ kind: 'refused' });
    await goodClientStillServed();
  });
});
