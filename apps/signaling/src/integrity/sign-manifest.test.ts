import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManifestBook } from '@p2pcdn/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrigin, type DemoOrigin } from '../origin/index.ts';
import { generatePublisherKey, nodeCrypto } from './publisher-key.ts';
import { signPlaylist } from './sign-manifest.ts';

let origin: DemoOrigin;
let dir: string;
const key = generatePublisherKey();

beforeAll(async () => {
  origin = await startOrigin({ host: '127.0.0.1', port: 0 });
  dir = await mkdtemp(path.join(tmpdir(), 'p2pcdn-sign-'));
});
afterAll(async () => {
  await origin.close();
  await rm(dir, { recursive: true, force: true });
});

const book = () => new ManifestBook({ streamId: 'mine', publicKey: key.publicKey, crypto: nodeCrypto });
const bytes = async (url: string) => new Uint8Array(await (await fetch(url)).arrayBuffer());

describe('signPlaylist', () => {
  it('signs a publisher’s playlist by URL: its init and every segment verify, a tampered one does not', async () => {
    const signed = await signPlaylist({ playlist: origin.streams.vod, streamId: 'mine', key, seq: 1 });
    const b = book();
    expect(await b.add(signed)).toMatchObject({ ok: true });
    expect(b.size).toBe(origin.clip.segments.length + 1);
    const seg = `${origin.url}/vod/seg-2.m4s`;
    const data = await bytes(seg);
    expect(await b.verifySegment({ streamId: 'mine', url: seg }, data)).toEqual({ ok: true });
    data[100] = (data[100] ?? 0) ^ 1;
    expect(await b.verifySegment({ streamId: 'mine', url: seg }, data)).toEqual({
      ok: false,
      reason: 'hash-mismatch',
    });
  });

  it('signs a local playlist with the URL it is served at', async () => {
    const seg0 = await bytes(`${origin.url}/vod/seg-0.m4s`);
    await writeFile(
      path.join(dir, 'index.m3u8'),
      '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nseg-0.m4s\n#EXT-X-ENDLIST\n',
    );
    await writeFile(path.join(dir, 'seg-0.m4s'), seg0);
    const signed = await signPlaylist({
      playlist: path.join(dir, 'index.m3u8'),
      baseUrl: 'https://cdn.example.org/show/index.m3u8',
      streamId: 'mine',
      key,
    });
    const b = book();
    expect(await b.add(signed)).toMatchObject({ ok: true });
    expect(
      await b.verifySegment({ streamId: 'mine', url: 'https://cdn.example.org/show/seg-0.m4s' }, seg0),
    ).toEqual({ ok: true });
    await expect(
      signPlaylist({ playlist: path.join(dir, 'index.m3u8'), streamId: 'mine', key }),
    ).rejects.toThrow(/base-url/);
  });
});
