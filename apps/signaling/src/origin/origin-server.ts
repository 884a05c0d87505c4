import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toHex, type SigningKeyPair, type StreamId } from '@p2pcdn/core';
import createDebug from 'debug';
import { generatePublisherKey, loadOrCreatePublisherKey, nodeCrypto } from '../integrity/publisher-key.ts';
import { DEFAULT_MEDIA_DIR, loadClip, type Clip } from './clip.ts';
import type { LiveWindow } from './live-timeline.ts';
import { OriginMedia } from './origin-media.ts';
import { OriginManifests } from './manifests.ts';
import { createRequestHandler } from './request-handler.ts';
import { OriginCounters, type OriginStats, type OriginStreamName } from './stats.ts';

const debug = createDebug('p2pcdn:origin:server');

/** The only thing the origin asks of a clock. Core's `Clock` fits. */
export interface OriginClock {
  /** Milliseconds since the epoch (or any fixed point, for tests). */
  now(): number;
}

/** Everything {@link startOrigin} can be told; every field has a default. */
export interface OriginOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Port; 0 picks a free one. Default `P2PCDN_ORIGIN_PORT` or 8081. */
  port?: number;
  /** Directory with `init.mp4` and `seg-0.m4s`…. Default the committed clip ({@link DEFAULT_MEDIA_DIR}). */
  mediaDir?: string;
  /** Time source for the live window and the stats timestamps. Default `Date.now`. */
  clock?: OriginClock;
  /** Segments in the live playlist. Default 6. */
  liveWindow?: number;
  /** Segments still served after leaving the live playlist. Default `liveWindow + 1` (RFC 8216 §6.2.2). */
  liveRetention?: number;
  /**
   * EXT-X-MEDIA-SEQUENCE at start. Default 0. Set it to `clipSegments - liveWindow` to reach a loop
   * boundary within one segment.
   */
  startSequence?: number;
  /**
   * The publisher key file: read if present, generated (once) otherwise. Without it (and without
   * `key`) the origin signs with a key made for this run only.
   */
  keyFile?: string;
  /** The publisher key itself (tests); wins over `keyFile`. */
  key?: SigningKeyPair;
  /** Stream ids the manifests name. Default `demo-live` and `demo-vod`. */
  streamIds?: Record<OriginStreamName, StreamId>;
}

/** A running demo origin. */
export interface DemoOrigin {
  /** Base URL, e.g. `http://127.0.0.1:8081`. */
  url: string;
  host: string;
  port: number;
  /** Playlist URLs. */
  streams: Record<OriginStreamName, string>;
  /** Signed manifest URLs (`manifest.json` next to each playlist). */
  manifests: Record<OriginStreamName, string>;
  /** The publisher's Ed25519 public key, hex: register it with the streams. */
  publicKey: string;
  /** The clip both streams are made of (per-segment sizes and durations, tracks). */
  clip: Clip;
  /** Traffic counters (also `GET /stats`). */
  stats(): OriginStats;
  /** Zeroes the counters (also `POST /stats/reset`). */
  resetStats(): void;
  /** The live window now. */
  liveWindow(): LiveWindow;
  /** Size of segment `sequence` of `stream`; throws `OriginError('out-of-range')` past the VOD's end. */
  segmentBytes(stream: OriginStreamName, sequence: number): number;
  /**
   * Bytes of one copy of segments `fromSequence` … `toSequence` (inclusive): divide the origin's
   * `segmentBytes` by this to get how many copies of what was watched the origin sent.
   */
  oneCopyBytes(stream: OriginStreamName, fromSequence: number, toSequence: number): number;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

const systemClock: OriginClock = { now: () => Date.now() };

function defaultPort(): number {
  const fromEnv = Number(process.env.P2PCDN_ORIGIN_PORT);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 8081;
}

/**
 * Starts the demo origin: the publisher's HTTP server in demos, tests and benchmarks. Serves the
 * clip as `/vod/index.m3u8` and as a looping `/live/index.m3u8`, with CORS, Range and HEAD, and
 * counts every body byte it sends (`/stats`).
 */
export async function startOrigin(options: OriginOptions = {}): Promise<DemoOrigin> {
  const host = options.host ?? '127.0.0.1';
  const clock = options.clock ?? systemClock;
  const windowSize = options.liveWindow ?? 6;
  const clip = await loadClip(options.mediaDir ?? DEFAULT_MEDIA_DIR);
  const startedAt = clock.now();
  const media = new OriginMedia(clip, {
    now: () => clock.now(),
    startedAt,
    windowSize,
    retention: options.liveRetention ?? windowSize + 1,
    startSequence: options.startSequence ?? 0,
  });
  const counters = new OriginCounters(() => clock.now(), startedAt);
  const key =
    options.key ??
    (options.keyFile ? await loadOrCreatePublisherKey(options.keyFile) : generatePublisherKey());
  // Manifest keys are absolute URLs, known once listening: until then the origin answers 503.
  let handler: ReturnType<typeof createRequestHandler> = (_req, res) => {
    res.writeHead(503).end();
  };
  const server = createServer((req, res) => handler(req, res));
  const address = await new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? defaultPort(), host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${urlHost}:${address.port}`;
  const manifests = new OriginManifests({
    media,
    baseUrl: url,
    key,
    crypto: nodeCrypto,
    streamIds: options.streamIds ?? { live: 'demo-live', vod: 'demo-vod' },
    now: () => clock.now(),
  });
  handler = createRequestHandler({ media, counters, manifests });
  debug('listening on %s (%d clip segments, live window %d)', url, clip.segments.length, windowSize);
  return {
    url,
    host: address.address,
    port: address.port,
    streams: { live: `${url}/live/index.m3u8`, vod: `${url}/vod/index.m3u8` },
    manifests: { live: `${url}/live/manifest.json`, vod: `${url}/vod/manifest.json` },
    publicKey: toHex(key.publicKey),
    clip,
    stats: () => counters.snapshot(),
    resetStats: () => counters.reset(),
    liveWindow: () => media.liveWindow(),
    segmentBytes: (stream, sequence) => media.segmentBytes(stream, sequence),
    oneCopyBytes: (stream, from, to) => media.oneCopyBytes(stream, from, to),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
