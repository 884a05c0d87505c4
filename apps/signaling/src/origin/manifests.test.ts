import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fromHex, ManifestBook, type SegmentRef } from '@p2pcdn/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreatePublisherKey, nodeCrypto, readPublisherKey } from '../integrity/publisher-key.ts';
import { startOrigin, type DemoOrigin } from './origin-server.ts';

let now = 1_700_000_000_000;
let origin: DemoOrigin;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'p2pcdn-origin-key-'));
  origin = await startOrigin({
    port: 0,
    clock: { now: () => now },
    liveWindow: 4,
    liveRetention: 2,
    keyFile: path.join(dir, 'publisher-key.json'),
  });
});

afterAll(async () => {
  await origin.close();
  await rm(dir, { recursive: true, force: true });
});

async function bytesOf(url: string): Promise<Uint8Array> {
  return new Uint8Array(await (await fetch(url)).arrayBuffer());
}

function book(streamId: string): ManifestBook {
  return new ManifestBook({ streamId, publicKey: fromHex(origin.publicKey), crypto: nodeCrypto });
}

describe('origin manifests', () => {
  it('signs the VOD manifest with the key kept in the data dir, covering init and every segment', async () => {
    const res = await fetch(origin.manifests.vod);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const vod = book('demo-vod');
    expect(await vod.add(await res.json())).toMatchObject({ ok: true });
    expect(vod.size).toBe(origin.clip.segments.length + 1);
    const ref = (file: string): SegmentRef => ({ streamId: 'demo-vod', url: `${origin.url}/vod/${file}` });
    expect(await vod.verifySegment(ref('seg-3.m4s'), await bytesOf(`${origin.url}/vod/seg-3.m4s`))).toEqual({
      ok: true,
    });
    expect(await vod.verifySegment(ref('init.mp4'), await bytesOf(`${origin.url}/vod/init.mp4`))).toEqual({
      ok: true,
    });
    // The same manifest under another stream's name, or another key, is refused.
    expect(await book('demo-live').add(await (await fetch(origin.manifests.vod)).json())).toMatchObject({
      ok: false,
      kind: 'wrong-stream',
    });
    const file = await readPublisherKey(path.join(dir, 'publisher-key.json'));
    expect(Buffer.from(file.publicKey).toString('hex')).toBe(origin.publicKey);
    expect((await stat(path.join(dir, 'publisher-key.json'))).mode & 0o777).toBe(0o600);
  });

  it('re-signs the live manifest as the window slides, with a higher revision and the new segments', async () => {
    const first = await fetch(origin.manifests.live);
    expect(first.headers.get('cache-control')).toBe('no-cache');
    const etag = first.headers.get('etag');
    const live = book('demo-live');
    expect(await live.add(await first.json())).toMatchObject({ ok: true });
    const revision = live.revision;
    const window = origin.liveWindow();
    const ref = (n: number): SegmentRef => ({
      streamId: 'demo-live',
      url: `${origin.url}/live/seg-${n}.m4s`,
    });
    const newest = await bytesOf(`${origin.url}/live/seg-${window.last}.m4s`);
    expect(await live.verifySegment(ref(window.last), newest)).toEqual({ ok: true });
    expect(live.entry(ref(window.last + 1))).toBeUndefined();
    expect((await fetch(origin.manifests.live, { headers: { 'if-none-match': etag ?? '' } })).status).toBe(
      304,
    );

    now += 60_000;
    const later = origin.liveWindow();
    expect(later.last).toBeGreaterThan(window.last);
    expect(await live.add(await (await fetch(origin.manifests.live)).json())).toMatchObject({ ok: true });
    expect(live.revision).toBeGreaterThan(revision);
    const fresh = await bytesOf(`${origin.url}/live/seg-${later.last}.m4s`);
    expect(await live.verifySegment(ref(later.last), fresh)).toEqual({ ok: true });
    // Per-block hashes let a receiver blame the one block that is bad.
    const bad = fresh.slice(0, 16 * 1024);
    bad[10] = (bad[10] ?? 0) ^ 1;
    expect(await live.verifyBlock(ref(later.last), 0, 16 * 1024, bad)).toEqual({
      ok: false,
      reason: 'hash-mismatch',
    });
  });

  it('keeps the publisher key across restarts and refuses a damaged key file', async () => {
    const keyFile = path.join(dir, 'restart.json');
    const a = await loadOrCreatePublisherKey(keyFile);
    const b = await loadOrCreatePublisherKey(keyFile);
    expect(b).toEqual(a);
    const json = JSON.parse(await readFile(keyFile, 'utf8')) as { privateKey: string };
    await writeFile(keyFile, JSON.stringify({ ...json, privateKey: '00'.repeat(32) }));
    await expect(loadOrCreatePublisherKey(keyFile)).rejects.toThrow(/does not match/);
    await writeFile(keyFile, 'not json');
    await expect(loadOrCreatePublisherKey(keyFile)).rejects.toThrow(/not JSON/);
  });
});
