import type { Clock, Logger, StreamId, TimerHandle } from '@p2pcdn/core';
import {
  loadMediaPlaylist,
  reloadMediaPlaylist,
  type MediaPlaylistView,
  type PlaylistSegment,
} from './playlist.ts';

/** Where a follower starts in the playlist. */
export type FollowStart =
  /** From the first segment (VOD). */
  | { from: 'start' }
  /** `backSegments` before the newest segment of a live playlist (from the start for VOD). */
  | { from: 'live-edge'; backSegments: number };

export interface PlaylistFollowerOptions {
  streamId: StreamId;
  /** The stream's master or media playlist. */
  url: string;
  /** Picks the variant (see `pickVariant`). */
  budgetKbps: number;
  start: FollowStart;
  clock: Clock;
  /** Loads a playlist's text. */
  load: (url: string) => Promise<string>;
  /** Called once per new segment, in sequence order. */
  onSegment: (segment: PlaylistSegment, playlist: MediaPlaylistView) => void;
  /** The playlist ended (VOD, or a live playlist that gained EXT-X-ENDLIST) and every segment was passed on. */
  onEnd?: () => void;
  log?: Logger;
}

/** Reload delay after a failed load, ms, doubling up to {@link MAX_RETRY_MS}. */
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 8_000;

/**
 * Follows an HLS stream's media playlist the way a player does: resolves a master playlist to one
 * variant, reloads a live playlist every half target duration, and reports each new segment once.
 */
export class PlaylistFollower {
  private timer: TimerHandle | undefined;
  private stopped = false;
  private mediaUrl: string | undefined;
  /** Highest media sequence number passed on; segments at or below it are old. */
  private lastSequence = -Infinity;
  private retryMs = FIRST_RETRY_MS;
  private readonly log: Logger;

  constructor(private readonly options: PlaylistFollowerOptions) {
    this.log = options.log ?? (() => {});
  }

  /** The media playlist followed, once loaded. */
  get playlistUrl(): string | undefined {
    return this.mediaUrl;
  }

  /** Loads the playlist for the first time; rejects if that fails (later reloads retry). */
  async start(): Promise<void> {
    const { streamId, url, budgetKbps, load } = this.options;
    const view = await loadMediaPlaylist(url, streamId, budgetKbps, load);
    if (this.stopped) return;
    this.mediaUrl = view.url;
    const { start } = this.options;
    if (start.from === 'live-edge' && view.live) {
      const last = view.segments.at(-1)?.sequence;
      if (last !== undefined) this.lastSequence = last - start.backSegments;
    }
    this.consume(view);
  }

  stop(): void {
    this.stopped = true;
    this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private consume(view: MediaPlaylistView): void {
    for (const segment of view.segments) {
      if (this.stopped) return;
      if (segment.sequence <= this.lastSequence) continue;
      this.lastSequence = segment.sequence;
      this.options.onSegment(segment, view);
    }
    if (this.stopped) return;
    if (!view.live) {
      this.options.onEnd?.();
      return;
    }
    this.schedule((view.targetDurationSec * 1000) / 2);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.options.clock.setTimeout(() => void this.reload(), ms);
  }

  private async reload(): Promise<void> {
    const url = this.mediaUrl;
    if (this.stopped || !url) return;
    try {
      const view = await reloadMediaPlaylist(url, this.options.streamId, this.options.load);
      this.retryMs = FIRST_RETRY_MS;
      if (!this.stopped) this.consume(view);
    } catch (error) {
      this.log('reloading %s failed: %O', url, error);
      this.schedule(this.retryMs);
      this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
    }
  }
}
