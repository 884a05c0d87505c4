import type { CancelToken, OriginFetch, SegmentRef } from '@p2pcdn/core';

/** How an HTTP fetch from the origin failed. */
export type OriginErrorKind = 'status' | 'network' | 'cancelled';

/** The origin-fetch domain's error; `status` carries the HTTP status for `status` failures. */
export class OriginError extends Error {
  override readonly name = 'OriginError';
  /** HTTP status, for `status` failures (read by the fragment loader to keep hls.js's retry rules). */
  readonly status?: number;

  constructor(
    readonly kind: OriginErrorKind,
    message: string,
    options: { cause?: unknown; status?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (options.status !== undefined) this.status = options.status;
  }
}

/** `fetch` as the origin client uses it. */
export type FetchFn = (url: string, init: RequestInit) => Promise<Response>;

/**
 * Fetches segments from the publisher's origin with `fetch` (CORS), sending `Range` for
 * byte-range segments, and aborting when the segment loader cancels.
 */
export function createOriginFetch(fetchFn: FetchFn = (url, init) => fetch(url, init)): OriginFetch {
  return async (segment: SegmentRef, cancel: CancelToken): Promise<Uint8Array> => {
    if (cancel.cancelled) throw new OriginError('cancelled', `cancelled before fetching ${segment.url}`);
    const abort = new AbortController();
    cancel.onCancel(() => abort.abort());
    const headers: Record<string, string> = {};
    if (segment.range) headers.Range = `bytes=${segment.range.start}-${segment.range.end - 1}`;
    let response: Response;
    try {
      response = await fetchFn(segment.url, { headers, signal: abort.signal, credentials: 'omit' });
      if (!response.ok) {
        throw new OriginError('status', `origin answered HTTP ${response.status} for ${segment.url}`, {
          status: response.status,
        });
      }
      const data = new Uint8Array(await response.arrayBuffer());
      if (segment.range && response.status === 200) {
        // The origin ignored Range and sent the whole resource: cut out the segment ourselves.
        return data.slice(segment.range.start, segment.range.end);
      }
      return data;
    } catch (error) {
      if (error instanceof OriginError) throw error;
      if (cancel.cancelled)
        throw new OriginError('cancelled', `cancelled while fetching ${segment.url}`, { cause: error });
      throw new OriginError('network', `origin unreachable for ${segment.url}`, { cause: error });
    }
  };
}
