import type {
  CancelToken,
  Clock,
  LoadedSegment,
  Logger,
  PeerEngine,
  SegmentRef,
  SegmentStore,
} from '@p2pcdn/core';
import { MAX_SEGMENT_BYTES } from '@p2pcdn/core';
import { fetchBytes } from '../origin/http-fetch.ts';
import { isOnStreamOrigin } from '../origin/origin-guard.ts';

/** Loads one segment for playback; `bufferAheadSec` tells how urgent it is. */
export interface SegmentSource {
  load(ref: SegmentRef, options: { bufferAheadSec: number; cancel: CancelToken }): Promise<LoadedSegment>;
}

/** Pause before asking parents again after they all missed. */
const PEER_RETRY_MS = 250;

export interface P2pFirstSourceOptions {
  clock: Clock;
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
  /**
   * Time given to peers when nothing is buffered (startup, or a stall already under way): a little
   * more startup delay in exchange for not pulling from the origin what peers are about to send.
   * Default 2000.
   */
  emptyBufferPeerMs?: number;
  /**
   * Resolves once a parent link is up in `streamId`, or at once when none is expected (no parents
   * assigned), or after `timeoutMs`. Lets a node whose parents are still connecting use them.
   */
  waitForParents?: (streamId: string, timeoutMs: number) => Promise<void>;
  /** Longest wait for assigned parents to connect when the buffer is empty (startup). Default 3000. */
  startupWaitMs?: number;
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
  const startupWaitMs = options.startupWaitMs ?? 3_000;
  const { clock } = options;

  /**
   * Asks the parents until `timeoutMs` has passed. A quick miss is asked again shortly: a parent
   * whose own parents are still connecting has nothing yet, but will in a moment.
   */
  const fromPeers = async (ref: SegmentRef, timeoutMs: number, cancel: CancelToken) => {
    const deadline = clock.now() + timeoutMs;
    for (;;) {
      const engine = options.engine();
      const remaining = deadline - clock.now();
      if (!engine?.hasParents(ref.streamId) || remaining <= 0) return null;
      const got = await engine.fetchFromPeers(ref, { timeoutMs: remaining, cancel });
      if (got) return got;
      if (deadline - clock.now() < PEER_RETRY_MS) return null;
      await new Promise<void>((resolve) => clock.setTimeout(resolve, PEER_RETRY_MS));
    }
  };
  const log = options.log ?? (() => {});
  return {
    async load(ref, { bufferAheadSec, cancel }) {
      const held = options.store.get(ref);
      if (held) return { data: held, source: 'cache' };
      const budgetMs = (bufferAheadSec - reserveSec) * 1000;
      if (options.waitForParents && !options.engine()?.hasParents(ref.streamId)) {
        await options.waitForParents(
          ref.streamId,
          Math.max(budgetMs, bufferAheadSec <= 0 ? startupWaitMs : 0),
        );
      }
      if (options.engine()?.hasParents(ref.streamId)) {
        const timeoutMs =
          bufferAheadSec <= 0
            ? (options.emptyBufferPeerMs ?? 2_000)
            : Math.min(maxPeerMs, Math.max(minPeerMs, budgetMs));
        const got = await fromPeers(ref, timeoutMs, cancel);
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
