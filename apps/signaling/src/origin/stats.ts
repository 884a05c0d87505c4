/** The demo origin's two streams. */
export type OriginStreamName = 'live' | 'vod';

/** Names of the streams, in a stable order. */
export const ORIGIN_STREAMS: readonly OriginStreamName[] = ['live', 'vod'];

/** What a body was. */
export type BodyKind = 'segment' | 'init' | 'playlist';

/** Per-stream counters. Bytes are body bytes the origin handed to the socket (not headers). */
export interface StreamCounters {
  /** Media segment bytes (`seg-N.m4s`), including partial (Range) and aborted responses. */
  segmentBytes: number;
  /** Playlist bytes (`index.m3u8`). */
  playlistBytes: number;
  /** Init segment bytes (`init.mp4`), kept apart so `segmentBytes` is media only. */
  initBytes: number;
  /** Requests under the stream's path, whatever their outcome (404s and HEADs included). */
  requests: number;
  /**
   * Bytes of one copy of the distinct media segments anyone fetched (each sequence number counted
   * once, at its full size): the denominator of "origin copies" = segmentBytes ÷ this.
   */
  oneCopyBytes: number;
  /** Distinct media segments fetched. */
  distinctSegments: number;
}

/** What `GET /stats` answers. */
export interface OriginStats {
  streams: Record<OriginStreamName, StreamCounters>;
  /** When the origin started, ms since the epoch (by its clock). */
  startedAt: number;
  /** When the counters were last reset (equals `startedAt` before any reset). */
  resetAt: number;
}

function zero(): StreamCounters {
  return {
    segmentBytes: 0,
    playlistBytes: 0,
    initBytes: 0,
    requests: 0,
    oneCopyBytes: 0,
    distinctSegments: 0,
  };
}

const FIELD: Record<BodyKind, 'segmentBytes' | 'initBytes' | 'playlistBytes'> = {
  segment: 'segmentBytes',
  init: 'initBytes',
  playlist: 'playlistBytes',
};

/** The origin's traffic counters. */
export class OriginCounters {
  private streams: Record<OriginStreamName, StreamCounters> = { live: zero(), vod: zero() };
  private resetAt: number;
  private seen: Record<OriginStreamName, Set<number>> = { live: new Set(), vod: new Set() };

  constructor(
    private readonly now: () => number,
    private readonly startedAt: number,
  ) {
    this.resetAt = startedAt;
  }

  /** Counts one request under `stream`'s path. */
  countRequest(stream: OriginStreamName): void {
    this.streams[stream].requests += 1;
  }

  /** Counts `bytes` of a `kind` body written to the socket for `stream`. */
  countBytes(stream: OriginStreamName, kind: BodyKind, bytes: number): void {
    this.streams[stream][FIELD[kind]] += bytes;
  }

  /** Notes that media segment `sequence` (of `size` bytes) was fetched, for {@link StreamCounters.oneCopyBytes}. */
  countSegmentFetched(stream: OriginStreamName, sequence: number, size: number): void {
    if (this.seen[stream].has(sequence)) return;
    this.seen[stream].add(sequence);
    this.streams[stream].oneCopyBytes += size;
    this.streams[stream].distinctSegments += 1;
  }

  /** A copy of the counters now. */
  snapshot(): OriginStats {
    return {
      streams: { live: { ...this.streams.live }, vod: { ...this.streams.vod } },
      startedAt: this.startedAt,
      resetAt: this.resetAt,
    };
  }

  /** Zeroes every counter (benchmarks call this between runs). */
  reset(): void {
    this.streams = { live: zero(), vod: zero() };
    this.seen = { live: new Set(), vod: new Set() };
    this.resetAt = this.now();
  }
}
