import { toHex, type StreamInfo } from '@p2pcdn/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePublisherKey } from '../src/integrity/publisher-key.ts';
import { startOrigin, type DemoOrigin } from '../src/origin/index.ts';
import { startTestStack, tempDir, TEST_TOKEN } from './harness.ts';

let origin: DemoOrigin;

beforeAll(async () => {
  origin = await startOrigin({ host: '127.0.0.1', port: 0, streamIds: { live: 'live', vod: 'vod' } });
});
afterAll(async () => {
  await origin.close();
});

const auth = { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' };

async function register(base: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${base}/api/streams`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

describe('stream registration with a publisher key', () => {
  it('checks the manifest against the key and keeps both across a restart', async () => {
    const dataDir = await tempDir();
    const first = await startTestStack({ dataDir });
    const reg = {
      id: 'vod',
      url: origin.streams.vod,
      publicKey: origin.publicKey,
      manifestUrl: origin.manifests.vod,
    };
    const ok = await register(first.running.url, reg);
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({
      stream: { publicKey: origin.publicKey, manifestUrl: origin.manifests.vod },
    });
    const plain = await register(first.running.url, { id: 'plain', url: origin.streams.live });
    expect(plain.status).toBe(201);
    expect((plain.json as { stream: StreamInfo }).stream.publicKey).toBeUndefined();
    await first.stop();

    const second = await startTestStack({ dataDir });
    const listed = (await (await fetch(`${second.running.url}/api/streams`)).json()) as {
      streams: StreamInfo[];
    };
    expect(listed.streams.find((s) => s.id === 'vod')).toMatchObject({
      publicKey: origin.publicKey,
      manifestUrl: origin.manifests.vod,
    });
    expect(second.running.coordinator.streams.get('vod')?.publicKey).toBe(origin.publicKey);
    await second.dispose();
  });

  it('refuses a wrong key, another stream’s manifest, a key without a manifest and a malformed key', async () => {
    const stack = await startTestStack();
    const base = stack.running.url;
    const otherKey = toHex(generatePublisherKey().publicKey);
    const cases: Array<[unknown, number, RegExp]> = [
      [
        { id: 'vod', url: origin.streams.vod, publicKey: otherKey, manifestUrl: origin.manifests.vod },
        422,
        /not signed by the given public key/,
      ],
      [
        {
          id: 'vod',
          url: origin.streams.vod,
          publicKey: origin.publicKey,
          manifestUrl: origin.manifests.live,
        },
        422,
        /for stream "live", not "vod"/,
      ],
      [
        {
          id: 'vod',
          url: origin.streams.vod,
          publicKey: origin.publicKey,
          manifestUrl: `${origin.url}/nope.json`,
        },
        422,
        /answered HTTP 404/,
      ],
      [{ id: 'vod', url: origin.streams.vod, publicKey: origin.publicKey }, 400, /go together/],
      [
        { id: 'vod', url: origin.streams.vod, publicKey: 'XYZ', manifestUrl: origin.manifests.vod },
        400,
        /public key/,
      ],
    ];
    for (const [body, status, message] of cases) {
      const res = await register(base, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect((res.json as { error: { message: string } }).error.message).toMatch(message);
    }
    expect(stack.running.coordinator.streams.get('vod')).toBeUndefined();
    await stack.dispose();
  });
});
