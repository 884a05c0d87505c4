import {
  MAX_SEGMENT_BYTES,
  SegmentLoader,
  type CancelToken,
  type Clock,
  type LoadedSegment,
  type Logger,
  type PeerEngine,
  type PeerSegmentSource,
  type SegmentRef,
  type SegmentStore,
} from '@p2pcdn/core';
import { fetchBytes } from '../origin/http-fetch.ts';
import { isOnStreamOrigin } from '../origin/origin-guard.ts';

/** Loads one segment for playback; `bufferAheadSec` tells how urgent it is. */
export interface SegmentSource {
  load(ref: SegmentRef, options: { bufferAheadSec: number; cancel: CancelToken }): Promise<LoadedSegment>;
}

/** Pause before asking the parents again after they all missed. */
const PEER_RETRY_MS = 250;

export interface ViewerSegmentLoaderOptions {
  clock: Clock;
  /** The current engine (it changes if the coordinator hands out a new node id). */
  engine: () => PeerEngine | undefined;
  store: SegmentStore;
  /** The stream's playlist URL: HTTP fallbacks stay on its origin. */
  streamUrl: string;
  /** Deadline of one HTTP fetch. Default 15 s. */
  httpTimeoutMs?: number;
  fetch?: typeof fetch;
  log?: Logger;
}

/**
 * Core's {@link SegmentLoader} as the headless viewer uses it, the same decision a browser tab
 * makes: peers first for as long as the buffer affords, then HTTP from the stream's origin (and
 * only from there, redirects included). Segments fetched over HTTP go into the store, so this
 * node can serve them to its own children.
 */
export function viewerSegmentLoader(options: ViewerSegmentLoaderOptions): SegmentLoader {
  const { clock } = options;
  const peers: PeerSegmentSource = {
    // A miss is asked again shortly rather than ending the peer attempt: a parent whose own
    // parents are still connecting has nothing yet, but will in a moment. The loader's deadline,
    // not the miss, decides when HTTP starts (and the peers keep racing it).
    async fetchFromPeers(segment, opts) {
      const deadline = clock.now() + opts.timeoutMs;
      for (;;) {
        const engine = options.engine();
        const remaining = deadline - clock.now();
        if (!engine?.hasParents(segment.streamId) || remaining <= 0 || opts.cancel?.cancelled) return null;
        const got = await engine.fetchFromPeers(segment, { timeoutMs: remaining, cancel: opts.cancel });
        if (got) return got;
        await new Promise<void>((resolve) => clock.setTimeout(resolve, PEER_RETRY_MS));
      }
    },
    hasParents: (streamId) => options.engine()?.hasParents(streamId) ?? false,
    recordHttpBytes: (bytes, streamId) => options.engine()?.recordHttpBytes(bytes, streamId),
  };
  return new SegmentLoader({
    peers,
    clock: options.clock,
    store: options.store,
    httpFetch: (segment, cancel) => {
      if (!isOnStreamOrigin(options.streamUrl, segment.url)) {
        return Promise.reject(new Error(`${segment.url} is not on the stream's origin`));
      }
      return fetchBytes(segment.url, {
        range: segment.range,
        cancel,
        timeoutMs: options.httpTimeoutMs ?? 15_000,
        maxBytes: MAX_SEGMENT_BYTES,
        allowRedirect: (url) => isOnStreamOrigin(options.streamUrl, url.href),
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
    },
    ...(options.log ? { log: options.log } : {}),
  });
}
