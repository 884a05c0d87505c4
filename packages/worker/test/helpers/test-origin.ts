import { readFile, readdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The demo clip the coordinator's demo origin serves (fMP4, 2 s segments). */
const CLIP_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../apps/signaling/media/clip',
);

/** Requests and bytes the origin served for one path. */
export interface Served {
  requests: number;
  bytes: number;
}

/** A small HLS origin for integration tests, counting what it serves per path. */
export interface TestOrigin {
  url: string;
  /** Per path (`/live/seg-7.m4s`): what was served. */
  served: Map<string, Served>;
  /** Bytes served for media and init segments (not playlists). */
  segmentBytes(): number;
  close(): Promise<void>;
}

/**
 * Serves `/vod/…` (the clip as is) and `/live/index.m3u8`, a sliding six-segment window over the
 * clip looped, advancing one 2 s segment every `segmentMs` of wall time; live segment `seg-N.m4s`
 * has the bytes of clip segment `N mod count`. Honours single byte ranges.
 */
export async function startTestOrigin(options: { segmentMs?: number } = {}): Promise<TestOrigin> {
  const segmentMs = options.segmentMs ?? 2_000;
  const files = new Map<string, Buffer>();
  for (const name of await readdir(CLIP_DIR)) files.set(name, await readFile(path.join(CLIP_DIR, name)));
  const clipSegments = [...files.keys()].filter((n) => /^seg-\d+\.m4s$/.test(n)).length;
  const started = Date.now();
  const served = new Map<string, Served>();

  const livePlaylist = (): string => {
    const newest = 5 + Math.floor((Date.now() - started) / segmentMs);
    const first = newest - 5;
    const lines = [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-TARGETDURATION:2',
      `#EXT-X-MEDIA-SEQUENCE:${first}`,
    ];
    lines.push('#EXT-X-MAP:URI="init.mp4"');
    for (let n = first; n <= newest; n++) lines.push('#EXTINF:2.000000,', `seg-${n}.m4s`);
    return `${lines.join('\n')}\n`;
  };

  const resolve = (pathname: string): Buffer | string | undefined => {
    if (pathname === '/live/index.m3u8') return livePlaylist();
    const live = /^\/live\/seg-(\d+)\.m4s$/.exec(pathname);
    if (live) return files.get(`seg-${Number(live[1]) % clipSegments}.m4s`);
    const file = /^\/(?:vod|live)\/([\w.-]+)$/.exec(pathname)?.[1];
    return file ? files.get(file) : undefined;
  };

  const server: Server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://origin').pathname;
    const body = resolve(pathname);
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    let bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    let status = 200;
    if (range) {
      bytes = bytes.subarray(Number(range[1]), Number(range[2]) + 1);
      status = 206;
    }
    const entry = served.get(pathname) ?? { requests: 0, bytes: 0 };
    entry.requests++;
    entry.bytes += bytes.byteLength;
    served.set(pathname, entry);
    const type = pathname.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp4';
    res.writeHead(status, {
      'content-type': type,
      'content-length': bytes.byteLength,
      'cache-control': 'no-cache',
    });
    res.end(bytes);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    served,
    segmentBytes: () =>
      [...served].filter(([p]) => !p.endsWith('.m3u8')).reduce((sum, [, s]) => sum + s.bytes, 0),
    async close() {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
}
