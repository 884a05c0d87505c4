import {
  createCancelSource,
  SegmentRefSchema,
  validate,
  type CancelSource,
  type CancelToken,
  type Clock,
  type LoadedSegment,
  type Logger,
  type SegmentRef,
  type StreamId,
  type TimerHandle,
  type Validated,
} from '@p2pcdn/core';
import type {
  FragmentLoaderConstructor,
  FragmentLoaderContext,
  HlsConfig,
  Loader,
  LoaderCallbacks,
  LoaderConfiguration,
  LoaderContext,
  LoaderStats,
} from 'hls.js';

/**
 * The P2P side as the fragment loader sees it: core's SegmentLoader (peers first, then the
 * origin over HTTP before `bufferAheadSec` runs out), adapted by the session.
 */
export interface SegmentSourcePort {
  load(ref: SegmentRef, options: { bufferAheadSec: number; cancel: CancelToken }): Promise<LoadedSegment>;
}

/** One fragment delivered to hls.js, for the stats panel. */
export interface FragmentDelivery {
  ref: SegmentRef;
  source: LoadedSegment['source'];
  peerId?: string;
  bytes: number;
  /** Milliseconds from `load()` to the data. */
  elapsedMs: number;
  /** hls.js sequence number, or `initSegment`. */
  sn: number | 'initSegment';
}

/** Everything the fragment loader class closes over (hls.js constructs it with its config only). */
export interface FragmentLoaderDeps {
  streamId: StreamId;
  segments: SegmentSourcePort;
  /**
   * Where init segments go instead, when set. The session hands the ungated loader here: an init
   * segment is a kilobyte or two that every viewer needs once, so waiting for a parent to come up
   * buys nothing, and having it early lets the browser set up its decoder meanwhile.
   */
  initSegments?: SegmentSourcePort;
  /** Seconds of media buffered ahead of the playhead right now. */
  bufferAheadSec: () => number;
  /** High-resolution time in ms on hls.js's own scale (`performance.now()` in the browser). */
  now: () => number;
  /** Timers for hls.js's load timeout. */
  clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  onDelivered?: (delivery: FragmentDelivery) => void;
  log?: Logger;
}

/** A fresh, zeroed hls.js {@link LoaderStats}. */
export function createLoaderStats(): LoaderStats {
  return {
    aborted: false,
    loaded: 0,
    retry: 0,
    total: 0,
    chunkCount: 0,
    bwEstimate: 0,
    loading: { start: 0, first: 0, end: 0 },
    parsing: { start: 0, end: 0 },
    buffering: { start: 0, first: 0, end: 0 },
  };
}

/**
 * The segment reference every peer derives for an hls.js request: the fragment's absolute URL
 * and, for EXT-X-BYTERANGE fragments, its byte range (hls.js's `rangeEnd` is exclusive, like
 * core's). Invalid when the URL is not absolute http(s) or the range is out of bounds.
 */
export function segmentRefFor(
  streamId: StreamId,
  context: Pick<LoaderContext, 'url' | 'rangeStart' | 'rangeEnd'>,
): Validated<SegmentRef> {
  const hasRange = context.rangeEnd !== undefined && context.rangeEnd > 0;
  const ref = hasRange
    ? { streamId, url: context.url, range: { start: context.rangeStart ?? 0, end: context.rangeEnd } }
    : { streamId, url: context.url };
  return validate(SegmentRefSchema, ref);
}

/**
 * hls.js's `{code, text}` for a failed load. A numeric `status` on the error (or its cause) is
 * kept, so hls.js retries 5xx as it would for its own loaders; anything else is a network
 * failure, code 0, exactly what hls.js's fetch loader reports.
 */
export function loaderErrorFor(error: unknown): { code: number; text: string } {
  const text = error instanceof Error ? error.message : String(error);
  return { code: statusOf(error) ?? statusOf(error instanceof Error ? error.cause : undefined) ?? 0, text };
}

function statusOf(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null || !('status' in value)) return undefined;
  const { status } = value;
  return typeof status === 'number' && Number.isInteger(status) && status > 0 ? status : undefined;
}

/** Copies the bytes into an ArrayBuffer of exactly their length (hls.js wants an ArrayBuffer). */
export function toArrayBuffer(data: Uint8Array): ArrayBuffer {
  if (
    data.byteOffset === 0 &&
    data.byteLength === data.buffer.byteLength &&
    data.buffer instanceof ArrayBuffer
  ) {
    return data.buffer;
  }
  return data.slice().buffer as ArrayBuffer;
}

/**
 * Builds the class hls.js takes as `fLoader`: every media fragment and init segment goes through
 * core's segment loader (P2P first, HTTP from the origin before the playhead would starve), while
 * playlists keep hls.js's own HTTP loader. Stats are kept the way hls.js's loaders keep them
 * (`loading.start/first/end`, `loaded`, `total`; hls.js fills `parsing` and `buffering` itself),
 * so its bandwidth estimate and ABR see real delivery times whichever path served the bytes.
 */
export function createFragmentLoaderClass(deps: FragmentLoaderDeps): FragmentLoaderConstructor {
  const log = deps.log ?? (() => {});

  return class P2pFragmentLoader implements Loader<FragmentLoaderContext> {
    context: FragmentLoaderContext | null = null;
    stats: LoaderStats = createLoaderStats();
    private callbacks: LoaderCallbacks<FragmentLoaderContext> | null = null;
    private cancelSource: CancelSource | null = null;
    private timeout: TimerHandle | null = null;

    constructor(_config: HlsConfig) {}

    load(
      context: FragmentLoaderContext,
      config: LoaderConfiguration,
      callbacks: LoaderCallbacks<FragmentLoaderContext>,
    ): void {
      if (this.stats.loading.start) throw new Error('Loader can only be used once.');
      const stats = this.stats;
      stats.loading.start = deps.now();
      this.context = context;
      this.callbacks = callbacks;

      const ref = segmentRefFor(deps.streamId, context);
      if (!ref.ok) {
        log('refusing %s: %s', context.url, ref.error.message);
        this.finish((cb) => cb.onError({ code: 400, text: ref.error.message }, context, null, stats));
        return;
      }

      const cancel = createCancelSource();
      this.cancelSource = cancel;
      const timeoutMs = config.loadPolicy.maxLoadTimeMs || config.timeout;
      if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
        this.timeout = deps.clock.setTimeout(() => {
          this.timeout = null;
          log('timeout after %d ms: %s', timeoutMs, context.url);
          cancel.cancel();
          this.finish((cb) => cb.onTimeout(stats, context, null));
        }, timeoutMs);
      }

      const bufferAheadSec = deps.bufferAheadSec();
      const source = context.frag.sn === 'initSegment' ? (deps.initSegments ?? deps.segments) : deps.segments;
      source.load(ref.value, { bufferAheadSec, cancel: cancel.token }).then(
        (segment) => {
          if (cancel.token.cancelled || !this.callbacks) return;
          const now = deps.now();
          const bytes = segment.data.byteLength;
          stats.loading.first = Math.max(now, stats.loading.start);
          stats.loading.end = stats.loading.first;
          stats.loaded = bytes;
          stats.total = bytes;
          stats.chunkCount = 1;
          const data = toArrayBuffer(segment.data);
          log('%s %d B from %s in %d ms', context.url, bytes, segment.source, now - stats.loading.start);
          deps.onDelivered?.({
            ref: ref.value,
            source: segment.source,
            ...(segment.peerId === undefined ? {} : { peerId: segment.peerId }),
            bytes,
            elapsedMs: now - stats.loading.start,
            sn: context.frag.sn,
          });
          this.finish((cb) => {
            // hls.js's stream controller feeds the transmuxer from onProgress (its XHR loader
            // reports the whole body there before onSuccess); init segments read onSuccess.
            cb.onProgress?.(stats, context, data, null);
            cb.onSuccess({ url: context.url, data, code: 200 }, stats, context, null);
          });
        },
        (error: unknown) => {
          if (cancel.token.cancelled || !this.callbacks) return;
          const loaderError = loaderErrorFor(error);
          log('failed %s: %d %s', context.url, loaderError.code, loaderError.text);
          this.finish((cb) => cb.onError(loaderError, context, null, stats));
        },
      );
    }

    abort(): void {
      const callbacks = this.callbacks;
      const context = this.context;
      if (!this.stats.loading.end && this.cancelSource && !this.cancelSource.token.cancelled) {
        this.stats.aborted = true;
      }
      this.stopInternal();
      this.callbacks = null;
      if (callbacks?.onAbort && context) callbacks.onAbort(this.stats, context, null);
    }

    destroy(): void {
      this.stopInternal();
      this.callbacks = null;
      this.context = null;
    }

    /** Ends the load: stops the timer and calls back exactly once. */
    private finish(call: (callbacks: LoaderCallbacks<FragmentLoaderContext>) => void): void {
      const callbacks = this.callbacks;
      this.clearTimer();
      this.callbacks = null;
      if (callbacks) call(callbacks);
    }

    private stopInternal(): void {
      this.clearTimer();
      this.cancelSource?.cancel();
    }

    private clearTimer(): void {
      if (this.timeout !== null) deps.clock.clearTimeout(this.timeout);
      this.timeout = null;
    }
  };
}
