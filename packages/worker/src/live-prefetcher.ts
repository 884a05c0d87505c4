import {
  createCancelSource,
  segmentKey,
  type Clock,
  type Logger,
  type SegmentRef,
  type SegmentStore,
  type StreamInfo,
} from '@p2pcdn/core';
import { PlaylistFollower } from './hls/playlist-follower.ts';
import type { PlaylistSegment } from './hls/playlist.ts';
import type { SharedOriginFetch } from './origin/shared-fetch.ts';

export interface LivePrefetcherOptions {
  stream: StreamInfo;
  store: SegmentStore;
  origin: SharedOriginFetch;
  clock: Clock;
  /** Loads playlist text from the stream's origin (guarded by the caller). */
  loadPlaylist: (url: string) => Promise<string>;
  /** Counts bytes this prefetcher alone pulled from the origin. */
  recordHttpBytes: (bytes: number) => void;
  /** Segments behind the live edge fetched at start, so children joining there find them. */
  backSegments?: number;
  /** Most segments waiting to be fetched; older ones are dropped when the relay falls behind. */
  maxQueue?: number;
  log?: Logger;
}

/**
 * Keeps a relay that fetches a live stream from the origin ahead of its children: follows the
 * media playlist and pulls each new segment (and its init segment) into the store, so children
 * get the live edge from the relay rather than from the origin. Does nothing for VOD, which the
 * engine fetches on demand.
 */
export class LivePrefetcher {
  private readonly follower: PlaylistFollower;
  private readonly queue: PlaylistSegment[] = [];
  private readonly cancel = createCancelSource();
  private readonly initsFetched = new Set<string>();
  private running = false;
  private stopped = false;
  private readonly log: Logger;

  constructor(private readonly options: LivePrefetcherOptions) {
    this.log = options.log ?? (() => {});
    this.follower = new PlaylistFollower({
      streamId: options.stream.id,
      url: options.stream.url,
      budgetKbps: options.stream.bitrateKbps,
      start: { from: 'live-edge', backSegments: options.backSegments ?? 3 },
      clock: options.clock,
      load: options.loadPlaylist,
      onSegment: (segment, playlist) => {
        if (playlist.live) this.enqueue(segment);
      },
      log: this.log,
    });
  }

  async start(): Promise<void> {
    await this.follower.start();
  }

  stop(): void {
    this.stopped = true;
    this.follower.stop();
    this.queue.length = 0;
    this.cancel.cancel();
  }

  private enqueue(segment: PlaylistSegment): void {
    this.queue.push(segment);
    const max = this.options.maxQueue ?? 8;
    while (this.queue.length > max) this.queue.shift();
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (let next = this.queue.shift(); next && !this.stopped; next = this.queue.shift()) {
        if (next.init && !this.initsFetched.has(segmentKey(next.init))) {
          if (await this.fetchInto(next.init)) this.initsFetched.add(segmentKey(next.init));
        }
        await this.fetchInto(next.ref);
      }
    } finally {
      this.running = false;
    }
  }

  /** Fetches one segment into the store unless it is already there; false when it failed. */
  private async fetchInto(ref: SegmentRef): Promise<boolean> {
    const { store, origin } = this.options;
    if (store.has(ref)) return true;
    try {
      const { data, shared } = await origin.join(ref, this.cancel.token);
      if (this.stopped) return false;
      if (!shared) this.options.recordHttpBytes(data.byteLength);
      store.put(ref, data);
      this.log('prefetched %s (%d bytes)', ref.url, data.byteLength);
      return true;
    } catch (error) {
      if (!this.stopped) this.log('prefetch of %s failed: %O', ref.url, error);
      return false;
    }
  }
}
