import { describe, expect, it } from 'vitest';
import { readPlaylistSegments } from './playlist-segments.ts';

/** A `fetch` that serves `files` by URL and 404 for anything else. */
function fakeFetch(files: Record<string, string>): typeof fetch {
  return (async (input: string | URL | Request) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const body = files[url];
    return body === undefined ? new Response('no', { status: 404 }) : new Response(body);
  }) as typeof fetch;
}

const media = (first: number, names: string[], end = false): string =>
  [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    '#EXT-X-TARGETDURATION:4',
    `#EXT-X-MEDIA-SEQUENCE:${first}`,
    '#EXT-X-MAP:URI="init.mp4"',
    ...names.flatMap((n) => ['#EXTINF:4.0,', n]),
    ...(end ? ['#EXT-X-ENDLIST'] : []),
  ].join('\n');

describe('readPlaylistSegments', () => {
  it('numbers a live media playlist from its media sequence, with absolute keys', async () => {
    const fetch = fakeFetch({
      'http://o/live/index.m3u8': media(41, ['a.m4s', 'sub/b.m4s', 'http://cdn/c.m4s']),
    });
    const read = await readPlaylistSegments('http://o/live/index.m3u8', 'live', { fetch, timeoutMs: 1000 });
    expect(read).toEqual({
      live: true,
      targetDurationMs: 4000,
      segments: [
        { key: 'http://o/live/a.m4s', sequence: 41 },
        { key: 'http://o/live/sub/b.m4s', sequence: 42 },
        { key: 'http://cdn/c.m4s', sequence: 43 },
      ],
    });
  });

  it('reads every variant of a master playlist, and byte ranges the way nodes key them', async () => {
    const fetch = fakeFetch({
      'http://o/master.m3u8': [
        '#EXTM3U',
        '#EXT-X-STREAM-INF:BANDWIDTH=800000',
        'lo/index.m3u8',
        '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=100000,URI="iframes.m3u8"',
        '#EXT-X-STREAM-INF:BANDWIDTH=2400000',
        'hi/index.m3u8',
      ].join('\n'),
      'http://o/lo/index.m3u8': media(0, ['s0.m4s'], true),
      'http://o/hi/index.m3u8': [
        '#EXTM3U',
        '#EXT-X-TARGETDURATION:2',
        '#EXT-X-BYTERANGE:1000@0',
        '#EXTINF:2.0,',
        'all.mp4',
        '#EXT-X-BYTERANGE:500',
        '#EXTINF:2.0,',
        'all.mp4',
        '#EXT-X-ENDLIST',
      ].join('\n'),
    });
    const read = await readPlaylistSegments('http://o/master.m3u8', 'vod', { fetch, timeoutMs: 1000 });
    expect(read.live).toBe(false);
    expect(read.targetDurationMs).toBe(4000);
    expect(read.segments).toEqual([
      { key: 'http://o/lo/s0.m4s', sequence: 0 },
      { key: 'http://o/hi/all.mp4#0-1000', sequence: 0 },
      { key: 'http://o/hi/all.mp4#1000-1500', sequence: 1 },
    ]);
  });

  it('fails with a ProbeError when the playlist cannot be read', async () => {
    const fetch = fakeFetch({ 'http://o/page.html': '<html>' });
    await expect(
      readPlaylistSegments('http://o/gone.m3u8', 'x', { fetch, timeoutMs: 1000 }),
    ).rejects.toMatchObject({
      name: 'ProbeError',
      kind: 'unreachable',
    });
    await expect(
      readPlaylistSegments('http://o/page.html', 'x', { fetch, timeoutMs: 1000 }),
    ).rejects.toMatchObject({
      kind: 'not-hls',
    });
  });
});
