import type { SegmentRef, StreamId } from '../protocol/index.ts';
import type { SegmentStore } from '../store/segment-store.ts';
import { createCancelSource } from '../engine/cancel.ts';
import type { FetchFromPeersOptions } from '../engine/peer-engine-types.ts';
import type {
  CancelToken,
  Clock,
  LoadedSegment,
  Logger,
  OriginFetch,
  SegmentSource,
  TimerHandle,
} from '../engine/types.ts';
import {
  DEFAULT_DEADLINE_POLICY,
  p2pDeadlineMs,
  TransferEstimator,
  type DeadlinePolicy,
} from './deadline.ts';
import { SegmentLoadError } from './errors.ts';

/** The peer side as the loader needs it; `PeerEngine` satisfies it. */
export interface PeerSegmentSource {
  fetchFromPeers(segment: SegmentRef, opts: FetchFromPeersOptions): Promise<LoadedSegment | null>;
  hasParents(streamId: StreamId): boolean;
  /** Counts bytes the loader fetched over HTTP into the node's heartbeat figures. */
  recordHttpBytes?(bytes: number, streamId?: StreamId): void;
}

/** Settings of a {@link SegmentLoader}. */
export interface SegmentLoaderOptions {
  peers: PeerSegmentSource;
  /** The HTTP fallback (fetch from the origin or the publisher's chosen servers). */
  httpFetch: OriginFetch;
  clock: Clock;
  /** Where HTTP-fetched segments go so this node can serve them to its children. */
  store?: SegmentStore;
  /** Deadline tuning; unset fields keep {@link DEFAULT_DEADLINE_POLICY}. */
  policy?: Partial<DeadlinePolicy>;
  /** HTTP throughput assumed before the first fetch, bytes per second. Default 5 Mbit/s. */
  initialHttpBytesPerSecond?: number;
  /** Segment size assumed before the first segment, bytes. Default 1 MB. */
  initialSegmentBytes?: number;
  /** How long peers may keep racing HTTP after the fallback started, ms. Default 30 000. */
  maxLoadMs?: number;
  log?: Logger;
}

/** What the caller knows about the moment of the request. */
export interface LoadOptions {
  /** Seconds of media buffered ahead of the playhead now. */
  bufferAheadSec: number;
  /** The segment's size if known (e.g. from a byte range or earlier renditions), bytes. */
  expectedBytes?: number | undefined;
  /** Stops both the peer attempt and the HTTP fetch; the promise rejects with `cancelled`. */
  cancel?: CancelToken | undefined;
}

/** Running totals of where segments came from. */
export interface SegmentLoaderStats {
  segments: Record<SegmentSource, number>;
  bytes: Record<SegmentSource, number>;
  /** Current estimate of HTTP throughput, bytes per second. */
  httpBytesPerSecond: number;
}

const noop: Logger = () => {};

/**
 * The player's (and headless viewer's) decision between peers and HTTP for each segment: peers
 * first, for as long as the buffer can afford, then the HTTP fallback started early enough to
 * finish before the playhead starves. Peers keep racing HTTP once it started; the first to
 * deliver wins and the other is cancelled. Everything time-based runs on the injected clock.
 */
export class SegmentLoader {
  private readonly clock: Clock;
  private readonly policy: DeadlinePolicy;
  private readonly estimator: TransferEstimator;
  private readonly log: Logger;
  private readonly totals: SegmentLoaderStats['segments'] = { cache: 0, p2p: 0, http: 0 };
  private readonly totalBytes: SegmentLoaderStats['bytes'] = { cache: 0, p2p: 0, http: 0 };

  constructor(private readonly options: SegmentLoaderOptions) {
    this.clock = options.clock;
    this.policy = { ...DEFAULT_DEADLINE_POLICY, ...options.policy };
    this.estimator = new TransferEstimator({
      httpBytesPerSecond: options.initialHttpBytesPerSecond ?? 625_000,
      segmentBytes: options.initialSegmentBytes ?? 1_000_000,
    });
    this.log = options.log ?? noop;
  }

  /**
   * Milliseconds the peers get for `segment` before HTTP starts: 0 when the stream has no
   * parents, otherwise the deadline for the current buffer and HTTP estimate.
   */
  p2pDeadlineMs(segment: SegmentRef, opts: LoadOptions): number {
    if (!this.options.peers.hasParents(segment.streamId)) return 0;
    const bytes = opts.expectedBytes ?? rangeBytes(segment) ?? this.estimator.typicalSegmentBytes;
    return p2pDeadlineMs(opts.bufferAheadSec, this.estimator.expectedHttpMs(bytes), this.policy);
  }

  /** Loads one segment; rejects with a {@link SegmentLoadError} when cancelled or unavailable. */
  load(segment: SegmentRef, opts: LoadOptions): Promise<LoadedSegment> {
    if (opts.cancel?.cancelled) return Promise.reject(cancelled());
    const held = this.options.store?.get(segment);
    if (held) return Promise.resolve(this.record(segment, { data: held, source: 'cache' }));
    return new Promise<LoadedSegment>((resolve, reject) => this.race(segment, opts, resolve, reject));
  }

  /** Where segments came from so far. */
  stats(): SegmentLoaderStats {
    return {
      segments: { ...this.totals },
      bytes: { ...this.totalBytes },
      httpBytesPerSecond: this.estimator.httpBytesPerSecond,
    };
  }

  private race(
    segment: SegmentRef,
    opts: LoadOptions,
    resolve: (value: LoadedSegment) => void,
    reject: (error: SegmentLoadError) => void,
  ): void {
    const p2p = createCancelSource();
    const http = createCancelSource();
    let settled = false;
    let p2pPending = false;
    let httpState: 'idle' | 'running' | 'failed' = 'idle';
    let httpError: unknown;
    let timer: TimerHandle | undefined;

    const finish = (outcome: { ok: LoadedSegment } | { error: SegmentLoadError }): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) this.clock.clearTimeout(timer);
      p2p.cancel();
      http.cancel();
      if ('ok' in outcome) resolve(this.record(segment, outcome.ok));
      else reject(outcome.error);
    };
    const giveUpIfBothFailed = (): void => {
      if (p2pPending || httpState !== 'failed') return;
      const reason = httpError instanceof Error ? httpError.message : String(httpError);
      finish({
        error: new SegmentLoadError('unavailable', `no peer and no HTTP: ${reason}`, { cause: httpError }),
      });
    };
    const startHttp = (): void => {
      if (settled || httpState !== 'idle') return;
      if (timer !== undefined) this.clock.clearTimeout(timer);
      timer = undefined;
      httpState = 'running';
      const startedAt = this.clock.now();
      let request: Promise<Uint8Array>;
      try {
        request = this.options.httpFetch(segment, http.token);
      } catch (err) {
        request = Promise.reject(err);
      }
      request.then(
        (data) => {
          if (settled) return;
          this.estimator.recordHttp(data.byteLength, this.clock.now() - startedAt);
          this.options.store?.put(segment, data);
          this.options.peers.recordHttpBytes?.(data.byteLength, segment.streamId);
          finish({ ok: { data, source: 'http' } });
        },
        (err: unknown) => {
          if (settled) return;
          this.log('HTTP fetch of %s failed: %O', segment.url, err);
          httpState = 'failed';
          httpError = err;
          giveUpIfBothFailed();
        },
      );
    };

    opts.cancel?.onCancel(() => finish({ error: cancelled() }));
    if (settled) return;

    const deadline = this.p2pDeadlineMs(segment, opts);
    if (deadline <= 0) return startHttp();

    p2pPending = true;
    timer = this.clock.setTimeout(startHttp, deadline);
    this.options.peers
      .fetchFromPeers(segment, { timeoutMs: this.options.maxLoadMs ?? 30_000, cancel: p2p.token })
      .then(
        (loaded) => {
          if (loaded) return finish({ ok: loaded });
          p2pPending = false;
          // Peers have nothing: no point waiting for the deadline.
          if (httpState === 'idle') startHttp();
          else giveUpIfBothFailed();
        },
        (err: unknown) => {
          if (settled) return;
          this.log('peer fetch of %s failed: %O', segment.url, err);
          p2pPending = false;
          if (httpState === 'idle') startHttp();
          else giveUpIfBothFailed();
        },
      );
  }

  private record(segment: SegmentRef, loaded: LoadedSegment): LoadedSegment {
    this.totals[loaded.source]++;
    this.totalBytes[loaded.source] += loaded.data.byteLength;
    this.estimator.recordSegment(loaded.data.byteLength);
    this.log('%s: %d bytes from %s', segment.url, loaded.data.byteLength, loaded.peerId ?? loaded.source);
    return loaded;
  }
}

function rangeBytes(segment: SegmentRef): number | undefined {
  return segment.range ? segment.range.end - segment.range.start : undefined;
}

function cancelled(): SegmentLoadError {
  return new SegmentLoadError('cancelled', 'segment load cancelled');
}
