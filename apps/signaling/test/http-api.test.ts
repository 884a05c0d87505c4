import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StreamInfoSchema, type StreamInfo, type TopologyEdge, type TopologyNode } from '@p2pcdn/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOrigin } from './fake-origin.ts';
import { startTestStack, tempDir, TEST_TOKEN, TestPeer, type TestStack } from './harness.ts';

let origin: Awaited<ReturnType<typeof startFakeOrigin>>;
let stack: TestStack;

beforeAll(async () => {
  origin = await startFakeOrigin();
});
afterAll(async () => {
  await origin.close();
});
beforeEach(async () => {
  stack = await startTestStack({ probeTimeoutMs: 1500 });
});
afterEach(async () => {
  await stack.dispose();
});

interface ErrorJson {
  error: { code: string; message: string };
}
interface HealthJson {
  ok: boolean;
  nodes: number;
  streams: number;
}
interface StreamJson {
  stream: StreamInfo;
}
interface StreamsJson {
  streams: StreamInfo[];
}
interface TopologyJson {
  nodes: TopologyNode[];
  edges: TopologyEdge[];
}
interface TocJson {
  streamId: string;
  segment: string;
  holders: Array<{ nodeId: string; name: string; upKbps: number }>;
}
/** The JSON body of `res`, as the test expects it to be shaped. */
const body = async <T>(res: Response): Promise<T> => (await res.json()) as T;

const auth = { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' };

function api(route: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${stack.running.url}${route}`, init);
}

function register(body: unknown, headers: Record<string, string> = auth): Promise<Response> {
  return api('/api/streams', {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('HTTP API', () => {
  it('answers health and lists streams publicly', async () => {
    const health = await api('/api/health');
    expect(health.status).toBe(200);
    expect(await body<HealthJson>(health)).toMatchObject({ ok: true, nodes: 0, streams: 0 });
    expect(await body<StreamsJson>(await api('/api/streams'))).toEqual({ streams: [] });
  });

  it('refuses a missing or wrong operator token with a sentence', async () => {
    const missing = await register({ id: 'vod', url: `${origin.url}/vod/index.m3u8` }, {});
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await body<ErrorJson>(missing)).toEqual({
      error: { code: 'unauthorized', message: expect.stringMatching(/Authorization: Bearer/) },
    });
    const wrong = await register(
      { id: 'vod', url: `${origin.url}/vod/index.m3u8` },
      { authorization: 'Bearer nope' },
    );
    expect(wrong.status).toBe(401);
    expect((await body<ErrorJson>(wrong)).error.code).toBe('unauthorized');
    const del = await api('/api/streams/vod', { method: 'DELETE', headers: { authorization: 'Basic x' } });
    expect(del.status).toBe(401);
  });

  it('registers a VOD stream, estimating its bitrate from segment sizes', async () => {
    const res = await register({ id: 'vod', title: 'VOD', url: `${origin.url}/vod/index.m3u8` });
    expect(res.status).toBe(201);
    const { stream } = await body<StreamJson>(res);
    expect(StreamInfoSchema.parse(stream)).toMatchObject({
      id: 'vod',
      title: 'VOD',
      bitrateKbps: 1000,
      live: false,
    });
    expect((await body<StreamsJson>(await api('/api/streams'))).streams).toEqual([stream]);
  });

  it('takes the bitrate from BANDWIDTH of a master playlist and detects live streams', async () => {
    const res = await register({ id: 'multi', url: `${origin.url}/master.m3u8` });
    expect(res.status).toBe(201);
    expect((await body<StreamJson>(res)).stream).toMatchObject({ bitrateKbps: 2400, live: false });
    const live = await register({ id: 'live', url: `${origin.url}/live/index.m3u8`, bitrateKbps: 1500 });
    expect((await body<StreamJson>(live)).stream).toMatchObject({ bitrateKbps: 1500, live: true });
  });

  it('explains what is wrong with a registration', async () => {
    const cases: Array<[unknown, number, string, RegExp]> = [
      ['{not json', 400, 'bad-request', /JSON/],
      [{ id: 'Bad Id', url: `${origin.url}/vod/index.m3u8` }, 400, 'bad-request', /^id: /],
      [{ id: 'x', url: 'ftp://example.com/a.m3u8' }, 400, 'bad-request', /url/],
      [{ id: 'x', url: `${origin.url}/vod/index.m3u8`, bitrateKbps: 0 }, 400, 'bad-request', /bitrateKbps/],
      [{ id: 'x', url: `${origin.url}/vod/index.m3u8`, extra: 1 }, 400, 'bad-request', /extra|unrecognized/i],
      [{ id: 'x', url: `${origin.url}/page.html` }, 422, 'bad-request', /not an HLS playlist/],
      [{ id: 'x', url: `${origin.url}/missing.m3u8` }, 422, 'unavailable', /HTTP 404/],
      [{ id: 'x', url: 'http://127.0.0.1:9/a.m3u8' }, 422, 'unavailable', /could not fetch/],
      [{ id: 'x', url: `${origin.url}/hang.m3u8` }, 422, 'unavailable', /did not answer within 1500 ms/],
      [{ id: 'x', url: `http://h/${'a'.repeat(20_000)}` }, 413, 'too-large', /body/],
    ];
    for (const [payload, status, code, message] of cases) {
      const res = await register(payload);
      const json = await body<ErrorJson>(res);
      expect([res.status, json.error.code], JSON.stringify(payload).slice(0, 80)).toEqual([status, code]);
      expect(json.error.message).toMatch(message);
    }
    expect((await body<StreamsJson>(await api('/api/streams'))).streams).toEqual([]);
  });

  it('refuses a duplicate id and removes streams with the token', async () => {
    expect((await register({ id: 'vod', url: `${origin.url}/vod/index.m3u8` })).status).toBe(201);
    const dup = await register({ id: 'vod', url: `${origin.url}/vod/index.m3u8` });
    expect([dup.status, (await body<ErrorJson>(dup)).error.code]).toEqual([409, 'already-registered']);
    expect((await api('/api/streams/vod', { method: 'DELETE', headers: auth })).status).toBe(204);
    const again = await api('/api/streams/vod', { method: 'DELETE', headers: auth });
    expect([again.status, (await body<ErrorJson>(again)).error.code]).toEqual([404, 'unknown-stream']);
  });

  it('keeps registered streams and the generated token across a restart', async () => {
    const dataDir = await tempDir();
    const saved = process.env.P2PCDN_TOKEN;
    delete process.env.P2PCDN_TOKEN;
    try {
      const first = await startTestStack({ dataDir, generatedToken: true });
      const token = first.running.token;
      expect(token).not.toBe(TEST_TOKEN);
      const res = await fetch(`${first.running.url}/api/streams`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'vod', url: `${origin.url}/vod/index.m3u8` }),
      });
      expect(res.status).toBe(201);
      await first.stop();
      const second = await startTestStack({ dataDir, generatedToken: true });
      expect(second.running.token).toBe(token);
      const { streams } = await body<StreamsJson>(await fetch(`${second.running.url}/api/streams`));
      expect(streams.map((s) => s.id)).toEqual(['vod']);
      await second.dispose();
    } finally {
      if (saved !== undefined) process.env.P2PCDN_TOKEN = saved;
    }
  });

  it('shows a stream’s topology and who holds a segment', async () => {
    await register({ id: 'vod', url: `${origin.url}/vod/index.m3u8` });
    const relay = await TestPeer.connect(stack.running.url);
    await relay.hello('relay', 20_000, 'relay-1');
    const viewer = await TestPeer.connect(stack.running.url);
    await viewer.hello('viewer');
    await viewer.request({ type: 'join', streamId: 'vod' });
    const key = `${origin.url}/vod/seg-0.m4s`;
    await relay.request({ type: 'have', streamId: 'vod', added: [key], removed: [] });

    const topo = await body<TopologyJson>(await api('/api/streams/vod/topology'));
    expect(topo.nodes.map((n) => n.role).sort()).toEqual(['origin', 'relay', 'viewer']);
    expect(topo.edges).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ from: 'origin:vod', to: relay.nodeId }),
        expect.objectContaining({ from: relay.nodeId, to: viewer.nodeId, state: 'planned' }),
      ]),
    );
    const toc = await body<TocJson>(await api(`/api/toc/vod?segment=${encodeURIComponent(key)}`));
    expect(toc).toMatchObject({
      streamId: 'vod',
      segment: key,
      holders: [{ nodeId: relay.nodeId, name: 'relay-1' }],
    });
    expect(toc.holders[0]).toHaveProperty('upKbps');
    expect((await api('/api/toc/nope?segment=x')).status).toBe(404);
    expect((await api('/api/streams/NOPE/topology')).status).toBe(400);
    relay.close();
    viewer.close();
  });

  it('serves the built SPAs with a fallback and a clear page when they are not built', async () => {
    const missing = await api('/');
    expect(missing.status).toBe(503);
    expect(await missing.text()).toMatch(/npm run build -w apps\/player/);
    expect((await api('/admin/')).status).toBe(503);

    const dist = path.join(stack.dataDir, 'player-dist');
    await mkdir(path.join(dist, 'assets'), { recursive: true });
    await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>player</title>');
    await writeFile(path.join(dist, 'assets', 'main-abcdef12.js'), 'console.log(1)');
    await stack.stop();
    stack = await startTestStack({ dataDir: stack.dataDir, playerDist: dist });
    expect(await (await api('/?stream=live')).text()).toMatch(/player/);
    const asset = await api('/assets/main-abcdef12.js');
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toMatch(/immutable/);
    expect(await (await api('/some/route')).text()).toMatch(/player/);
    expect((await api('/nothing.js')).status).toBe(404);
    expect((await api('/..%2f..%2fetc%2fpasswd')).status).toBe(404);
    await rm(dist, { recursive: true });
  });
});
