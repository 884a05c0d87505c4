import { TocAnswerSchema, type TocAnswer } from '@p2pcdn/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stateDigest } from '../src/index.ts';
import { startFakeOrigin } from './fake-origin.ts';
import { LIVE, startTestStack, TEST_TOKEN, TestPeer, type TestStack } from './harness.ts';

let origin: Awaited<ReturnType<typeof startFakeOrigin>>;
let stack: TestStack;
let relays: TestPeer[];
let viewer: TestPeer;
const peers: TestPeer[] = [];

async function peer(): Promise<TestPeer> {
  const p = await TestPeer.connect(stack.running.url);
  peers.push(p);
  return p;
}

const segment = (n: number): string => `${origin.url}/vod/seg-${n}.m4s`;

/** A heartbeat saying `p` has sent `bytesOut` to its children so far. */
const beat = (p: TestPeer, bytesOut: number) =>
  p.request({
    type: 'stats',
    stats: {
      httpBytes: 0,
      p2pBytes: 0,
      uploadBytes: bytesOut,
      links: [{ peerId: 'x', bytesIn: 0, bytesOut }],
    },
  });

beforeAll(async () => {
  origin = await startFakeOrigin();
});
afterAll(async () => {
  await origin.close();
});
beforeEach(async () => {
  stack = await startTestStack({ probeTimeoutMs: 1500, queryRateLimit: { burst: 5, perSecond: 1 } });
  // The fake origin's on-demand playlist lists seg-0 … seg-3 with media sequence 0.
  await stack.running.registrar.register({ id: 'vod', url: `${origin.url}/vod/index.m3u8` });
  stack.running.coordinator.addStream(LIVE); // its playlist is unreachable
  relays = [];
  for (const [name, kbps] of [
    ['relay-a', 10_000],
    ['relay-b', 40_000],
  ] as const) {
    const r = await peer();
    await r.hello('relay', kbps, name);
    relays.push(r);
  }
  viewer = await peer();
  await viewer.hello('viewer');
  await viewer.request({ type: 'join', streamId: 'vod' });
  const [a, b] = relays as [TestPeer, TestPeer];
  await a.request({ type: 'have', streamId: 'vod', added: [0, 1, 2, 3].map(segment), removed: [] });
  await b.request({ type: 'have', streamId: 'vod', added: [1, 2].map(segment), removed: [] });
  // relay-b measurably sends 500 kB/s over 2 s.
  await beat(b, 0);
  await stack.clock.advance(2000);
  await beat(b, 1_000_000);
});
afterEach(async () => {
  for (const p of peers.splice(0)) p.close();
  await stack.dispose();
});

describe('toc-query on /peer', () => {
  it('tells a viewer who can serve its stream from segment n, best first, with measured throughput', async () => {
    const [a, b] = relays as [TestPeer, TestPeer];
    const ack = await viewer.request({ type: 'toc-query', streamId: 'vod', from: 1 });
    if (!ack.ok) throw new Error(`toc-query refused: ${ack.error.message}`);
    const toc = TocAnswerSchema.parse(ack.toc);
    expect(toc).toMatchObject({
      streamId: 'vod',
      from: 1,
      keys: [segment(1)],
      indexed: { first: 0, last: 3 },
    });
    expect(toc.holders.map((h) => [h.name, h.through, h.upKbps, h.spareKbps])).toEqual([
      ['relay-b', 2, 4000, 36_000],
      ['relay-a', 3, 0, 10_000],
    ]);
    expect(toc.holders.map((h) => h.nodeId)).toEqual([b.nodeId, a.nodeId]);
    const zero = await a.request({ type: 'toc-query', streamId: 'vod', from: 0, limit: 1 });
    expect(zero).toMatchObject({ ok: true, toc: { holders: [], total: 0 } }); // only the asker has it
  });

  it('refuses malformed, oversized and unknown questions with a code, changing nothing', async () => {
    const before = stateDigest(stack.running.coordinator);
    const cases: Array<[unknown, string]> = [
      [{ type: 'toc-query', streamId: 'vod', from: '1' }, 'bad-request'],
      [{ type: 'toc-query', streamId: 'vod', from: -1 }, 'bad-request'],
      [{ type: 'toc-query', streamId: 'vod', from: 2 ** 60 }, 'bad-request'],
      [{ type: 'toc-query', streamId: 'vod', from: 1, limit: 65 }, 'bad-request'],
      [{ type: 'toc-query', streamId: 'vod', from: 1, pad: 'x'.repeat(70_000) }, 'too-large'],
      [{ type: 'toc-query', streamId: 'nope', from: 1 }, 'unknown-stream'],
      [{ type: 'toc-query', streamId: 'live', from: 1 }, 'forbidden'], // a viewer of vod only
    ];
    for (const [msg, code] of cases) {
      const ack = await viewer.request(msg);
      expect(ack, JSON.stringify(msg).slice(0, 80)).toMatchObject({ ok: false, error: { code } });
    }
    expect(stateDigest(stack.running.coordinator)).toEqual(before);
  });

  it('says a stream is unavailable while its playlist cannot be read', async () => {
    const ack = await relays[0]?.request({ type: 'toc-query', streamId: 'live', from: 1 });
    expect(ack).toMatchObject({ ok: false, error: { code: 'unavailable', message: /playlist of live/ } });
  });

  it('rate-limits questions on their own, without slowing the socket’s other messages', async () => {
    const acks = await Promise.all(
      Array.from({ length: 8 }, () => viewer.request({ type: 'toc-query', streamId: 'vod', from: 1 })),
    );
    expect(acks.filter((a) => a.ok)).toHaveLength(5);
    expect(acks.filter((a) => !a.ok && a.error.code === 'rate-limited')).toHaveLength(3);
    expect(await viewer.request({ type: 'join', streamId: 'vod' })).toMatchObject({ ok: true });
  });
});

describe('GET /api/toc/:streamId?from=n', () => {
  const get = (route: string, token: string | null = TEST_TOKEN): Promise<Response> =>
    fetch(`${stack.running.url}${route}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  it('answers operators with the holders from segment n', async () => {
    const res = await get('/api/toc/vod?from=2&limit=1');
    expect(res.status).toBe(200);
    const toc = TocAnswerSchema.parse(await res.json()) satisfies TocAnswer;
    expect(toc.holders.map((h) => h.name)).toEqual(['relay-b']);
    expect(toc.total).toBe(2);
    expect(toc.holders[0]).toMatchObject({ through: 2, segments: 2, measuredMs: 2000, capKbps: 40_000 });
  });

  it('needs the operator token, and refuses bad numbers and unknown streams with a code', async () => {
    const before = stateDigest(stack.running.coordinator);
    expect((await get('/api/toc/vod?from=1', null)).status).toBe(401);
    expect((await get('/api/toc/vod?from=1', 'wrong-token-123')).status).toBe(401);
    const cases: Array<[string, number, string]> = [
      ['/api/toc/vod?from=one', 400, 'bad-request'],
      ['/api/toc/vod?from=-1', 400, 'bad-request'],
      ['/api/toc/vod?from=1.5', 400, 'bad-request'],
      ['/api/toc/vod?from=', 400, 'bad-request'],
      [`/api/toc/vod?from=${'9'.repeat(40)}`, 400, 'bad-request'],
      ['/api/toc/vod?from=9007199254740992', 400, 'bad-request'],
      ['/api/toc/vod?from=1&limit=65', 400, 'bad-request'],
      ['/api/toc/vod?from=1&limit=0', 400, 'bad-request'],
      [`/api/toc/vod?from=1&segment=${encodeURIComponent(segment(1))}`, 400, 'bad-request'],
      ['/api/toc/nope?from=1', 404, 'unknown-stream'],
      ['/api/toc/live?from=1', 503, 'unavailable'],
    ];
    for (const [route, status, code] of cases) {
      const res = await get(route);
      expect(res.status, route).toBe(status);
      expect(await res.json(), route).toMatchObject({ error: { code, message: expect.any(String) } });
    }
    expect(stateDigest(stack.running.coordinator)).toEqual(before);
  });

  it('still answers the public per-key question without a token', async () => {
    const res = await get(`/api/toc/vod?segment=${encodeURIComponent(segment(3))}`, null);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ holders: [{ name: 'relay-a' }] });
  });
});
