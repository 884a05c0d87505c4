import { MAX_SEGMENT_BYTES, type OriginFetch } from '@p2pcdn/core';
import { fetchBytes } from './http-fetch.ts';
import { isOnStreamOrigin, type OriginGuard } from './origin-guard.ts';

export interface GuardedOriginFetchOptions {
  /** Deadline per segment. Default 15 s. */
  timeoutMs?: number;
  /** Default {@link MAX_SEGMENT_BYTES}. */
  maxBytes?: number;
  fetch?: typeof fetch;
}

/**
 * The relay's {@link OriginFetch}: only for streams the coordinator allowed, only for URLs on that
 * stream's origin (redirects included), with a deadline and a size cap.
 */
export function guardedOriginFetch(guard: OriginGuard, options: GuardedOriginFetchOptions = {}): OriginFetch {
  return async (segment, cancel) => {
    const stream = guard.check(segment);
    return fetchBytes(segment.url, {
      range: segment.range,
      cancel,
      timeoutMs: options.timeoutMs ?? 15_000,
      maxBytes: options.maxBytes ?? MAX_SEGMENT_BYTES,
      allowRedirect: (url) => isOnStreamOrigin(stream.url, url.href),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  };
}
