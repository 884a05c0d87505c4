import type { CancelToken, LoadedSegment, SegmentRef } from '@p2pcdn/core';
import {
  Fragment,
  LoaderContextType,
  PlaylistLevelType,
  type FragmentLoaderContext,
  type HlsConfig,
  type LoaderCallbacks,
  type LoaderConfiguration,
  type LoaderResponse,
  type LoaderStats,
} from 'hls.js';
import { describe, expect, it } from 'vitest';
import {
  createFragmentLoaderClass,
  loaderErrorFor,
  segmentRefFor,
  type FragmentDelivery,
  type SegmentSourcePort,
} from './fragment-loader.ts';

const SEGMENT_URL = 'http://127.0.0.1:8081/live/seg-7.m4s';

/** A segment source whose loads the test settles by hand. */
class FakeSegments implements SegmentSourcePort {
  readonly calls: Array<{
    ref: SegmentRef;
    bufferAheadSec: number;
    cancel: CancelToken;
    resolve: (segment: LoadedSegment) => void;
    reject: (error: unknown) => void;
  }> = [];

  load(ref: SegmentRef, options: { bufferAheadSec: number; cancel: CancelToken }): Promise<LoadedSegment> {
    return new Promise((resolve, reject) => this.calls.push({ ref, ...options, resolve, reject }));
  }
}

/** Hand-driven time and timers. */
class FakeClock {
  time = 1000;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private nextId = 1;
  now = (): number => this.time;
  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, fn });
    return id;
  };
  clearTimeout = (handle: unknown): void => {
    if (typeof handle === 'number') this.timers.delete(handle);
  };
  advance(ms: number): void {
    this.time += ms;
    for (const [id, timer] of [...this.timers]) {
      if (timer.at <= this.time) {
        this.timers.delete(id);
        timer.fn();
      }
    }
  }
  get pending(): number {
    return this.timers.size;
  }
}

type Event =
  | { kind: 'success'; response: LoaderResponse; stats: LoaderStats }
  | { kind: 'progress'; data: string | ArrayBuffer }
  | { kind: 'error'; error: { code: number; text: string } }
  | { kind: 'timeout' }
  | { kind: 'abort'; stats: LoaderStats };

function recorder(): { events: Event[]; callbacks: LoaderCallbacks<FragmentLoaderContext> } {
  const events: Event[] = [];
  return {
    events,
    callbacks: {
      onSuccess: (response, stats) => events.push({ kind: 'success', response, stats }),
      onProgress: (_stats, _context, data) => events.push({ kind: 'progress', data }),
      onError: (error) => events.push({ kind: 'error', error }),
      onTimeout: () => events.push({ kind: 'timeout' }),
      onAbort: (stats) => events.push({ kind: 'abort', stats }),
    },
  };
}

function context(
  options: { url?: string; range?: [number, number]; init?: boolean } = {},
): FragmentLoaderContext {
  const frag = new Fragment(PlaylistLevelType.MAIN, 'http://127.0.0.1:8081/live/index.m3u8');
  frag.url = options.url ?? SEGMENT_URL;
  frag.sn = options.init ? 'initSegment' : 7;
  return {
    type: LoaderContextType.MEDIA_FRAGMENT,
    frag,
    part: null,
    url: frag.url,
    responseType: 'arraybuffer',
    headers: {},
    rangeStart: options.range?.[0] ?? 0,
    rangeEnd: options.range?.[1] ?? 0,
  };
}

function loaderConfig(maxLoadTimeMs = 20_000): LoaderConfiguration {
  return {
    loadPolicy: { maxTimeToFirstByteMs: 10_000, maxLoadTimeMs, timeoutRetry: null, errorRetry: null },
    timeout: maxLoadTimeMs,
    maxRetry: 0,
    retryDelay: 0,
    maxRetryDelay: 0,
  };
}

function setup(bufferAheadSec = 12) {
  const segments = new FakeSegments();
  const clock = new FakeClock();
  const deliveries: FragmentDelivery[] = [];
  const Loader = createFragmentLoaderClass({
    streamId: 'demo-live',
    segments,
    bufferAheadSec: () => bufferAheadSec,
    now: clock.now,
    clock,
    onDelivered: (delivery) => deliveries.push(delivery),
  });
  const loader = new Loader({} as HlsConfig);
  return { segments, clock, deliveries, loader };
}

/** Lets promise callbacks run. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('segmentRefFor', () => {
  it('names a whole segment by its URL', () => {
    expect(segmentRefFor('demo-live', context())).toEqual({
      ok: true,
      value: { streamId: 'demo-live', url: SEGMENT_URL },
    });
  });

  it('keeps an EXT-X-BYTERANGE as an exclusive range', () => {
    const result = segmentRefFor('demo-vod', context({ range: [1000, 5000] }));
    expect(result).toEqual({
      ok: true,
      value: { streamId: 'demo-vod', url: SEGMENT_URL, range: { start: 1000, end: 5000 } },
    });
  });

  it('refuses URLs that are not absolute http(s)', () => {
    expect(segmentRefFor('demo-live', { url: 'blob:abc', rangeStart: 0, rangeEnd: 0 }).ok).toBe(false);
  });
});

describe('loaderErrorFor', () => {
  it('keeps an HTTP status found on the error or its cause', () => {
    expect(loaderErrorFor(Object.assign(new Error('bad gateway'), { status: 502 }))).toEqual({
      code: 502,
      text: 'bad gateway',
    });
    expect(loaderErrorFor(new Error('origin said no', { cause: { status: 404 } })).code).toBe(404);
  });

  it('reports network failures as code 0, like hls.js', () => {
    expect(loaderErrorFor(new TypeError('Failed to fetch'))).toEqual({ code: 0, text: 'Failed to fetch' });
    expect(loaderErrorFor('nope')).toEqual({ code: 0, text: 'nope' });
  });
});

describe('P2pFragmentLoader', () => {
  it('asks the segment source with the ref and the current buffer ahead', () => {
    const { segments, loader } = setup(7.5);
    loader.load(context({ range: [0, 100] }), loaderConfig(), recorder().callbacks);
    expect(segments.calls).toHaveLength(1);
    expect(segments.calls[0]?.ref).toEqual({
      streamId: 'demo-live',
      url: SEGMENT_URL,
      range: { start: 0, end: 100 },
    });
    expect(segments.calls[0]?.bufferAheadSec).toBe(7.5);
  });

  it('hands hls.js an exact ArrayBuffer and keeps its stats', async () => {
    const { segments, clock, deliveries, loader } = setup();
    const { events, callbacks } = recorder();
    loader.load(context(), loaderConfig(), callbacks);
    expect(loader.stats.loading.start).toBe(1000);

    clock.advance(250);
    const backing = new Uint8Array(64);
    segments.calls[0]?.resolve({ data: backing.subarray(8, 48), source: 'p2p', peerId: 'relay-1' });
    await flush();

    expect(events.map((e) => e.kind)).toEqual(['progress', 'success']);
    const success = events[1];
    if (success?.kind !== 'success') throw new Error('expected success');
    expect(success.response.url).toBe(SEGMENT_URL);
    expect(success.response.data).toBeInstanceOf(ArrayBuffer);
    expect((success.response.data as ArrayBuffer).byteLength).toBe(40);
    expect(success.stats).toBe(loader.stats);
    expect(loader.stats).toMatchObject({ loaded: 40, total: 40, aborted: false });
    expect(loader.stats.loading).toEqual({ start: 1000, first: 1250, end: 1250 });
    expect(loader.stats.parsing).toEqual({ start: 0, end: 0 });
    expect(deliveries).toEqual([
      {
        ref: { streamId: 'demo-live', url: SEGMENT_URL },
        source: 'p2p',
        peerId: 'relay-1',
        bytes: 40,
        elapsedMs: 250,
        sn: 7,
      },
    ]);
    expect(clock.pending).toBe(0);
  });

  it('serves init segments the same way', async () => {
    const { segments, deliveries, loader } = setup();
    loader.load(context({ init: true }), loaderConfig(), recorder().callbacks);
    segments.calls[0]?.resolve({ data: new Uint8Array(10), source: 'http' });
    await flush();
    expect(deliveries[0]).toMatchObject({ sn: 'initSegment', source: 'http', bytes: 10 });
  });

  it('sends init segments to their own source when one is given, media fragments to the other', () => {
    const segments = new FakeSegments();
    const initSegments = new FakeSegments();
    const clock = new FakeClock();
    const Loader = createFragmentLoaderClass({
      streamId: 'demo-live',
      segments,
      initSegments,
      bufferAheadSec: () => 0,
      now: clock.now,
      clock,
    });
    new Loader({} as HlsConfig).load(context({ init: true }), loaderConfig(), recorder().callbacks);
    new Loader({} as HlsConfig).load(context(), loaderConfig(), recorder().callbacks);
    expect(initSegments.calls.map((c) => c.ref.url)).toEqual([SEGMENT_URL]);
    expect(segments.calls).toHaveLength(1);
    expect(initSegments.calls).toHaveLength(1);
  });

  it('reports a failed load as an hls.js error', async () => {
    const { segments, loader } = setup();
    const { events, callbacks } = recorder();
    loader.load(context(), loaderConfig(), callbacks);
    segments.calls[0]?.reject(Object.assign(new Error('origin 503'), { status: 503 }));
    await flush();
    expect(events).toEqual([{ kind: 'error', error: { code: 503, text: 'origin 503' } }]);
  });

  it('refuses a context that names no valid segment without asking the source', () => {
    const { segments, loader } = setup();
    const { events, callbacks } = recorder();
    loader.load(context({ url: 'data:,x' }), loaderConfig(), callbacks);
    expect(segments.calls).toHaveLength(0);
    expect(events[0]).toMatchObject({ kind: 'error', error: { code: 400 } });
  });

  it('aborts: cancels the load, marks stats aborted, calls onAbort once and ignores late data', async () => {
    const { segments, loader } = setup();
    const { events, callbacks } = recorder();
    loader.load(context(), loaderConfig(), callbacks);
    loader.abort();
    loader.abort();
    expect(segments.calls[0]?.cancel.cancelled).toBe(true);
    expect(loader.stats.aborted).toBe(true);
    segments.calls[0]?.resolve({ data: new Uint8Array(4), source: 'p2p' });
    await flush();
    expect(events.map((e) => e.kind)).toEqual(['abort']);
  });

  it('times out after the load policy allows, cancelling the segment load', async () => {
    const { segments, clock, loader } = setup();
    const { events, callbacks } = recorder();
    loader.load(context(), loaderConfig(5000), callbacks);
    clock.advance(4999);
    expect(events).toEqual([]);
    clock.advance(1);
    expect(events).toEqual([{ kind: 'timeout' }]);
    expect(segments.calls[0]?.cancel.cancelled).toBe(true);
    segments.calls[0]?.resolve({ data: new Uint8Array(4), source: 'http' });
    await flush();
    expect(events).toHaveLength(1);
  });

  it('calls nothing after destroy', async () => {
    const { segments, clock, loader } = setup();
    const { events, callbacks } = recorder();
    loader.load(context(), loaderConfig(), callbacks);
    loader.destroy();
    expect(segments.calls[0]?.cancel.cancelled).toBe(true);
    expect(clock.pending).toBe(0);
    segments.calls[0]?.resolve({ data: new Uint8Array(4), source: 'p2p' });
    await flush();
    expect(events).toEqual([]);
  });

  it('can be used only once, like hls.js loaders', () => {
    const { loader } = setup();
    loader.load(context(), loaderConfig(), recorder().callbacks);
    expect(() => loader.load(context(), loaderConfig(), recorder().callbacks)).toThrow(/once/);
  });
});
