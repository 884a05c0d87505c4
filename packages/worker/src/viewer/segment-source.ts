import type { CancelToken, LoadedSegment, Logger, PeerEngine, SegmentRef, SegmentStore } from '@p2pcdn/core';
import { MAX_SEGMENT_BYTES } from '@p2pcdn/core';
import { fetchBytes } from '../origin/http-fetch.ts';
import { isOnStreamOrigin } from '../origin/origin-guard.ts';

/** Loads one segment for playback; `bufferAheadSec` tells how urgent it is. */
export interface SegmentSource {
  load(ref: SegmentRef, options: { bufferAheadSec: number; cancel: CancelToken }): Promise<LoadedSegment>;
}

export interface P2pFirstSourceOptions {
  /** The current engine (it changes if the coordinator hands out a new node id). */
  engine: () => PeerEngine | undefined;
  store: SegmentStore;
  /** The stream's playlist URL: HTTP fallbacks stay on its origin. */
  streamUrl: string;
  /** Seconds of buffer kept in reserve for the HTTP fallback. Default 1.5. */
  reserveSec?: number;
  /** Bounds of the time given to peers, ms. Default 500 and 6000. */
  minPeerMs?: number;
  maxPeerMs?: number;
  /** Deadline of the HTTP fallback. Default 15 s. */
  httpTimeoutMs?: number;
  fetch?: typeof fetch;
  log?: Logger;
}

/**
 * P2P first, HTTP before the playhead starves: the store, then the node's parents for as long as
 * the buffer allows (keeping a reserve for the fallback), then the origin over HTTP. Segments from
 * the origin go into the store so children can get them from this node.
 */
export function p2pFirstSource(options: P2pFirstSourceOptions): SegmentSource {
  const reserveSec = options.reserveSec ?? 1.5;
  const minPeerMs = options.minPeerMs ?? 500;
  const maxPeerMs = options.maxPeerMs ?? 6_000;
  const log = options.log ?? (() => {});
  return {
    async load(ref, { bufferAheadSec, cancel }) {
      const held = options.store.get(ref);
      if (held) return { data: held, source: 'cache' };
      const engine = options.engine();
      if (engine?.hasParents(ref.streamId)) {
        const timeoutMs = Math.min(maxPeerMs, Math.max(minPeerMs, (bufferAheadSec - reserveSec) * 1000));
        const got = await engine.fetchFromPeers(ref, { timeoutMs, cancel });
        if (got) return got;
        log('%s: no peer delivered within %d ms, falling back to HTTP', ref.url, timeoutMs);
      }
      if (!isOnStreamOrigin(options.streamUrl, ref.url))
        throw new Error(`${ref.url} is off the stream's origin`);
      const data = await fetchBytes(ref.url, {
        range: ref.range,
        cancel,
        timeoutMs: options.httpTimeoutMs ?? 15_000,
        maxBytes: MAX_SEGMENT_BYTES,
        allowRedirect: (url) => isOnStreamOrigin(options.streamUrl, url.href),
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
      options.engine()?.recordHttpBytes(data.byteLength);
      options.store.put(ref, data);
      return { data, source: 'http' };
    },
  };
}
