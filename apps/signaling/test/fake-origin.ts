import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Bytes per fake segment: 250 000 bytes per 2 s is exactly 1000 kbit/s. */
export const SEGMENT_BYTES = 250_000;

const media = (endlist: boolean): string =>
  [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    '#EXT-X-TARGETDURATION:2',
    '#EXT-X-MEDIA-SEQUENCE:0',
    ...Array.from({ length: 4 }, (_, i) => [`#EXTINF:2.0,`, `seg-${i}.m4s`]).flat(),
    ...(endlist ? ['#EXT-X-ENDLIST'] : []),
    '',
  ].join('\n');

const master = [
  '#EXTM3U',
  '#EXT-X-STREAM-INF:BANDWIDTH=800000',
  'vod/index.m3u8',
  '#EXT-X-STREAM-INF:BANDWIDTH=2400000',
  'live/index.m3u8',
  '',
].join('\n');

/**
 * A tiny HLS origin for registration tests: `/vod/index.m3u8` (with ENDLIST), `/live/index.m3u8`
 * (without), `/master.m3u8`, segments of {@link SEGMENT_BYTES} (HEAD answers without a length, so
 * the prober has to count a GET), `/page.html` (not HLS) and `/hang.m3u8` (never answers).
 */
export async function startFakeOrigin(): Promise<{ url: string; close(): Promise<void> }> {
  const hanging = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/vod/index.m3u8' || path === '/live/index.m3u8') {
      res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' });
      res.end(media(path.startsWith('/vod')));
    } else if (path === '/master.m3u8') {
      res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' });
      res.end(master);
    } else if (/^\/(vod|live)\/seg-\d\.m4s$/.test(path)) {
      res.writeHead(200, { 'content-type': 'video/iso.segment' });
      res.end(req.method === 'HEAD' ? undefined : Buffer.alloc(SEGMENT_BYTES, 1));
    } else if (path === '/page.html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><p>hello</p>');
    } else if (path === '/hang.m3u8') {
      hanging.add(() => res.destroy());
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const end of hanging) end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
