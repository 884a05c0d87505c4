import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseFragment } from './fmp4.ts';
import { startOrigin, type DemoOrigin } from './origin-server.ts';
import type { OriginStats } from './stats.ts';

let now = 1_700_000_000_000;
let origin: DemoOrigin;

beforeAll(async () => {
  origin = await startOrigin({ port: 0, clock: { now: () => now }, liveWindow: 4, liveRetention: 2 });
});

afterAll(async () => {
  await origin.close();
});

const get = (path: string, init?: RequestInit): Promise<Response> => fetch(`${origin.url}${path}`, init);

/** Byte equality without vitest's element-by-element diff, which crawls on 250 kB arrays. */
function sameBytes(a: ArrayBuffer, b: Uint8Array | undefined): boolean {
  return b !== undefined && Buffer.from(a).equals(b);
}

async function settledStats(check: (stats: OriginStats) => void): Promise<void> {
  // Bytes are charged when Node hands each chunk to the socket, which can trail the client by a tick.
  await vi.waitFor(() => check(origin.stats()));
}

describe('origin-server', () => {
  it('serves the clip as VOD HLS with CORS, content types and immutable segments', async () => {
    expect(origin.streams.vod).toBe(`${origin.url}/vod/index.m3u8`);
    const playlist = await get('/vod/index.m3u8');
    expect(playlist.status).toBe(200);
    expect(playlist.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(playlist.headers.get('access-control-allow-origin')).toBe('*');
    const text = await playlist.text();
    expect(text).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(text).toContain('#EXT-X-ENDLIST');
    expect(text.match(/^seg-\d+\.m4s$/gm)).toHaveLength(16);

    const segment = await get('/vod/seg-3.m4s');
    expect(segment.headers.get('content-type')).toBe('video/iso.segment');
    expect(segment.headers.get('cache-control')).toContain('immutable');
    expect(segment.headers.get('access-control-allow-origin')).toBe('*');
    expect(sameBytes(await segment.arrayBuffer(), origin.clip.segments[3]?.data)).toBe(true);
    const init = await get('/live/init.mp4');
    expect(init.headers.get('content-type')).toBe('video/mp4');
    expect(sameBytes(await init.arrayBuffer(), origin.clip.init)).toBe(true);
  });

  it('slides the live window with the clock and keeps the playlist uncached', async () => {
    const first = await get('/live/index.m3u8');
    expect(first.headers.get('cache-control')).toBe('no-cache');
    const text = await first.text();
    expect(text).toContain('#EXT-X-MEDIA-SEQUENCE:0\n');
    expect(text.match(/^seg-\d+\.m4s$/gm)).toEqual(['seg-0.m4s', 'seg-1.m4s', 'seg-2.m4s', 'seg-3.m4s']);
    expect(text).not.toContain('ENDLIST');

    now += 30_000; // 15 segments later: the window now crosses the clip's end (16 segments).
    const later = await (await get('/live/index.m3u8')).text();
    expect(later).toContain('#EXT-X-MEDIA-SEQUENCE:15\n');
    expect(later.match(/^seg-\d+\.m4s$/gm)).toEqual(['seg-15.m4s', 'seg-16.m4s', 'seg-17.m4s', 'seg-18.m4s']);
    expect(origin.liveWindow()).toEqual({ first: 15, last: 18, oldestServed: 13 });
  });

  it('serves live segments retimed across the loop, and 404s outside the window', async () => {
    const tracks = origin.clip.tracks;
    const fetchInfo = async (sequence: number) =>
      parseFragment(new Uint8Array(await (await get(`/live/seg-${sequence}.m4s`)).arrayBuffer()), tracks);
    const last = await fetchInfo(15);
    const next = await fetchInfo(16);
    last.trackFragments.forEach((traf, i) => {
      expect(next.trackFragments[i]?.decodeTime.value).toBe(traf.decodeTime.value + traf.duration);
    });
    for (const path of ['/live/seg-12.m4s', '/live/seg-19.m4s', '/vod/seg-16.m4s', '/live/seg-013.m4s']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      await res.body?.cancel();
    }
    expect((await get('/live/seg-13.m4s', { method: 'HEAD' })).status).toBe(200);
  });

  it('counts body bytes per stream and kind, Range requests by what they sent, HEAD as none', async () => {
    await get('/stats/reset', { method: 'POST' });
    const size = origin.segmentBytes('vod', 5);
    await (await get('/vod/seg-5.m4s')).arrayBuffer();
    const ranged = await get('/vod/seg-5.m4s', { headers: { range: 'bytes=100-1099' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe(`bytes 100-1099/${size}`);
    expect((await ranged.arrayBuffer()).byteLength).toBe(1000);
    const head = await get('/vod/seg-5.m4s', { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(size));
    const playlist = await (await get('/live/index.m3u8')).text();
    await (await get('/live/init.mp4')).arrayBuffer();
    const unsatisfiable = await get('/vod/seg-5.m4s', { headers: { range: `bytes=${size}-` } });
    expect(unsatisfiable.status).toBe(416);
    expect(unsatisfiable.headers.get('content-range')).toBe(`bytes */${size}`);
    await unsatisfiable.body?.cancel();

    await settledStats((stats) => {
      expect(stats.streams.vod).toEqual({
        segmentBytes: size + 1000,
        playlistBytes: 0,
        initBytes: 0,
        requests: 4,
        // seg-5 was fetched three times: one copy of the stream is that segment once.
        oneCopyBytes: size,
        distinctSegments: 1,
      });
      expect(stats.streams.live).toEqual({
        segmentBytes: 0,
        playlistBytes: Buffer.byteLength(playlist),
        initBytes: origin.clip.init.length,
        requests: 2,
        oneCopyBytes: 0,
        distinctSegments: 0,
      });
    });
    const body = (await (await get('/stats')).json()) as OriginStats;
    expect(body).toEqual(origin.stats());
    expect(body.startedAt).toBe(1_700_000_000_000);
  });

  it('resets the counters on POST /stats/reset and refuses other methods', async () => {
    const reset = await get('/stats/reset', { method: 'POST' });
    expect(reset.status).toBe(200);
    const stats = (await reset.json()) as OriginStats;
    expect(stats.streams.live).toEqual({
      segmentBytes: 0,
      playlistBytes: 0,
      initBytes: 0,
      requests: 0,
      oneCopyBytes: 0,
      distinctSegments: 0,
    });
    expect(stats.resetAt).toBe(now);
    expect((await get('/stats/reset')).status).toBe(405);
    expect((await get('/vod/seg-1.m4s', { method: 'POST' })).status).toBe(405);
    expect((await get('/nowhere')).status).toBe(404);
  });

  it('answers CORS preflights for Range requests', async () => {
    const res = await get('/live/seg-16.m4s', { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')).toContain('Range');
  });

  it('sizes one copy of a run of segments, looping for live', () => {
    const sizes = origin.clip.segments.map((s) => s.data.length);
    expect(origin.oneCopyBytes('vod', 0, 15)).toBe(sizes.reduce((a, b) => a + b, 0));
    expect(origin.oneCopyBytes('live', 15, 17)).toBe((sizes[15] ?? 0) + (sizes[0] ?? 0) + (sizes[1] ?? 0));
    expect(() => origin.oneCopyBytes('vod', 15, 16)).toThrow(/no segment 16/);
  });
});
