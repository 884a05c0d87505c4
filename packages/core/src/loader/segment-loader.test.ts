import { describe, expect, it } from 'vitest';
import { createCancelSource } from '../engine/cancel.ts';
import type { FetchFromPeersOptions } from '../engine/peer-engine-types.ts';
import type { CancelToken, LoadedSegment } from '../engine/types.ts';
import type { SegmentRef, StreamId } from '../protocol/index.ts';
import { SegmentStore } from '../store/segment-store.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { SegmentLoadError } from './errors.ts';
import { SegmentLoader, type PeerSegmentSource } from './segment-loader.ts';

const segment: SegmentRef = { streamId: 'live', url: 'http://origin.test/live/7.ts' };
const bytes = (n: number, fill = 1): Uint8Array => new Uint8Array(n).fill(fill);

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A peer source the test answers by hand. */
class FakePeers implements PeerSegmentSource {
  parents = true;
  readonly calls: { at: number; opts: FetchFromPeersOptions; answer: Deferred<LoadedSegment | null> }[] = [];
  readonly httpRecorded: [number, StreamId | undefined][] = [];
  constructor(private readonly clock: ManualClock) {}
  hasParents(): boolean {
    return this.parents;
  }
  fetchFromPeers(_segment: SegmentRef, opts: FetchFromPeersOptions): Promise<LoadedSegment | null> {
    const answer = deferred<LoadedSegment | null>();
    opts.cancel?.onCancel(() => answer.reject(new Error('cancelled')));
    this.calls.push({ at: this.clock.now(), opts, answer });
    return answer.promise;
  }
  recordHttpBytes(n: number, streamId?: StreamId): void {
    this.httpRecorded.push([n, streamId]);
  }
}

/** An HTTP fetch the test answers by hand. */
function fakeHttp(clock: ManualClock): {
  fetch: (s: SegmentRef, cancel: CancelToken) => Promise<Uint8Array>;
  calls: { at: number; cancel: CancelToken; answer: Deferred<Uint8Array> }[];
} {
  const calls: { at: number; cancel: CancelToken; answer: Deferred<Uint8Array> }[] = [];
  return {
    calls,
    fetch: (_s, cancel) => {
      const answer = deferred<Uint8Array>();
      calls.push({ at: clock.now(), cancel, answer });
      return answer.promise;
    },
  };
}

function setup(options: { store?: SegmentStore } = {}) {
  const clock = new ManualClock();
  const peers = new FakePeers(clock);
  const http = fakeHttp(clock);
  const loader = new SegmentLoader({
    peers,
    httpFetch: http.fetch,
    clock,
    ...options,
    policy: {
      safetyMarginMs: 1000,
      minP2pMs: 200,
      maxP2pMs: 8000,
      startupBudgetMs: 400,
      emptyBufferSec: 0.5,
    },
    initialHttpBytesPerSecond: 1_000_000,
    initialSegmentBytes: 1_000_000,
  });
  return { clock, peers, http, loader };
}

describe('SegmentLoader', () => {
  it('takes a segment from peers before the deadline and never touches HTTP', async () => {
    const { clock, peers, http, loader } = setup();
    const result = loader.load(segment, { bufferAheadSec: 10 });
    await clock.advance(100);
    peers.calls[0]?.answer.resolve({ data: bytes(10), source: 'p2p', peerId: 'p1' });
    await expect(result).resolves.toEqual({ data: bytes(10), source: 'p2p', peerId: 'p1' });
    await clock.advance(60_000);
    expect(http.calls).toEqual([]);
    expect(loader.stats().segments).toEqual({ cache: 0, p2p: 1, http: 0 });
    expect(loader.stats().bytes.p2p).toBe(10);
  });

  it('starts HTTP exactly at the deadline when peers are too slow, not before', async () => {
    const store = new SegmentStore({ capacityBytes: 1_000_000 });
    const { clock, peers, http, loader } = setup({ store });
    // 10 s buffered − 1 s margin − 1 s expected HTTP (1 MB at 1 MB/s), capped at 8 s.
    expect(loader.p2pDeadlineMs(segment, { bufferAheadSec: 10 })).toBe(8000);
    expect(loader.p2pDeadlineMs(segment, { bufferAheadSec: 6 })).toBe(4000);
    const result = loader.load(segment, { bufferAheadSec: 6 });
    await clock.advance(3999);
    expect(http.calls).toHaveLength(0);
    await clock.advance(1);
    expect(http.calls.map((c) => c.at)).toEqual([4000]);
    expect(peers.calls[0]?.opts.cancel?.cancelled).toBe(false);

    http.calls[0]?.answer.resolve(bytes(500, 9));
    await expect(result).resolves.toEqual({ data: bytes(500, 9), source: 'http' });
    expect(peers.calls[0]?.opts.cancel?.cancelled).toBe(true);
    expect(store.get(segment)).toEqual(bytes(500, 9));
    expect(peers.httpRecorded).toEqual([[500, 'live']]);
  });

  it('gives peers less time when less is buffered', async () => {
    const starts: number[] = [];
    for (const bufferAheadSec of [9, 4, 2.5]) {
      const { clock, http, loader } = setup();
      void loader.load(segment, { bufferAheadSec }).catch(() => undefined);
      await clock.advance(20_000);
      starts.push(http.calls[0]?.at ?? Number.NaN);
    }
    expect(starts).toEqual([7000, 2000, 500]);
  });

  it('uses the short startup budget when nothing is buffered', async () => {
    const { clock, http, loader } = setup();
    void loader.load(segment, { bufferAheadSec: 0 }).catch(() => undefined);
    await clock.advance(399);
    expect(http.calls).toHaveLength(0);
    await clock.advance(1);
    expect(http.calls).toHaveLength(1);
  });

  it('goes to HTTP at once when the stream has no parents', async () => {
    const { clock, peers, http, loader } = setup();
    peers.parents = false;
    const result = loader.load(segment, { bufferAheadSec: 30 });
    await clock.flush();
    expect(http.calls.map((c) => c.at)).toEqual([0]);
    expect(peers.calls).toEqual([]);
    http.calls[0]?.answer.resolve(bytes(3));
    expect((await result).source).toBe('http');
  });

  it('goes to HTTP at once when the peers come back empty-handed', async () => {
    const { clock, peers, http, loader } = setup();
    void loader.load(segment, { bufferAheadSec: 10 }).catch(() => undefined);
    await clock.advance(50);
    peers.calls[0]?.answer.resolve(null);
    await clock.flush();
    expect(http.calls.map((c) => c.at)).toEqual([50]);
  });

  it('keeps the peers racing HTTP and takes whichever finishes first', async () => {
    const { clock, peers, http, loader } = setup();
    const result = loader.load(segment, { bufferAheadSec: 2 });
    await clock.advance(200);
    expect(http.calls).toHaveLength(1);
    peers.calls[0]?.answer.resolve({ data: bytes(4), source: 'p2p', peerId: 'late' });
    expect((await result).peerId).toBe('late');
    expect(http.calls[0]?.cancel.cancelled).toBe(true);
  });

  it('uses the peers when HTTP fails, and fails only when both have', async () => {
    const first = setup();
    const rescued = first.loader.load(segment, { bufferAheadSec: 2 });
    await first.clock.advance(200);
    first.http.calls[0]?.answer.reject(new Error('503'));
    await first.clock.flush();
    first.peers.calls[0]?.answer.resolve({ data: bytes(4), source: 'p2p', peerId: 'p' });
    expect((await rescued).source).toBe('p2p');

    const second = setup();
    const failed = second.loader.load(segment, { bufferAheadSec: 2 });
    await second.clock.advance(200);
    const httpError = Object.assign(new Error('404'), { status: 404 });
    second.http.calls[0]?.answer.reject(httpError);
    second.peers.calls[0]?.answer.resolve(null);
    const error: unknown = await failed.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SegmentLoadError);
    expect(error).toMatchObject({ kind: 'unavailable', cause: httpError });
  });

  it('cancellation before the deadline stops the peers and never starts HTTP', async () => {
    const { clock, peers, http, loader } = setup();
    const cancel = createCancelSource();
    const result = loader.load(segment, { bufferAheadSec: 10, cancel: cancel.token });
    await clock.advance(100);
    cancel.cancel();
    await expect(result).rejects.toMatchObject({ kind: 'cancelled' });
    expect(peers.calls[0]?.opts.cancel?.cancelled).toBe(true);
    await clock.advance(60_000);
    expect(http.calls).toEqual([]);
  });

  it('cancellation after the fallback started stops both', async () => {
    const { clock, peers, http, loader } = setup();
    const cancel = createCancelSource();
    const result = loader.load(segment, { bufferAheadSec: 2, cancel: cancel.token });
    await clock.advance(500);
    expect(http.calls).toHaveLength(1);
    cancel.cancel();
    await expect(result).rejects.toBeInstanceOf(SegmentLoadError);
    expect(peers.calls[0]?.opts.cancel?.cancelled).toBe(true);
    expect(http.calls[0]?.cancel.cancelled).toBe(true);
    // A late HTTP answer changes nothing.
    http.calls[0]?.answer.resolve(bytes(5));
    await clock.flush();
    expect(loader.stats().segments).toEqual({ cache: 0, p2p: 0, http: 0 });
  });

  it('refuses to start with an already-cancelled token', async () => {
    const { peers, http, loader } = setup();
    const cancel = createCancelSource();
    cancel.cancel();
    await expect(loader.load(segment, { bufferAheadSec: 5, cancel: cancel.token })).rejects.toMatchObject({
      kind: 'cancelled',
    });
    expect(peers.calls).toEqual([]);
    expect(http.calls).toEqual([]);
  });

  it('answers from the store without any fetch', async () => {
    const store = new SegmentStore({ capacityBytes: 100 });
    store.put(segment, bytes(7));
    const { peers, http, loader } = setup({ store });
    await expect(loader.load(segment, { bufferAheadSec: 0 })).resolves.toEqual({
      data: bytes(7),
      source: 'cache',
    });
    expect(peers.calls).toEqual([]);
    expect(http.calls).toEqual([]);
  });

  it('learns from slow HTTP and starts the fallback earlier next time', async () => {
    const { clock, http, loader } = setup();
    const before = loader.p2pDeadlineMs(segment, { bufferAheadSec: 8 });
    for (let i = 0; i < 5; i++) {
      const pending = loader.load(segment, { bufferAheadSec: 0 });
      await clock.advance(400);
      await clock.advance(4000);
      http.calls[i]?.answer.resolve(bytes(1_000_000));
      await pending;
    }
    expect(loader.stats().httpBytesPerSecond).toBeLessThan(500_000);
    expect(loader.p2pDeadlineMs(segment, { bufferAheadSec: 8 })).toBeLessThan(before);
  });

  it('uses a byte range as the expected size', () => {
    const { loader } = setup();
    const small = { ...segment, range: { start: 0, end: 100_000 } };
    // 6 s − 1 s margin − 0.1 s for 100 kB at 1 MB/s.
    expect(loader.p2pDeadlineMs(small, { bufferAheadSec: 6 })).toBe(4900);
    expect(loader.p2pDeadlineMs(segment, { bufferAheadSec: 6, expectedBytes: 3_000_000 })).toBe(2000);
  });
});
