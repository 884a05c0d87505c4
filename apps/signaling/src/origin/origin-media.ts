import { loopedSegment, type Clip } from './clip.ts';
import { OriginError } from './errors.ts';
import { LiveTimeline, type LiveWindow, type LiveTimelineOptions } from './live-timeline.ts';
import { livePlaylist, targetDuration, vodPlaylist } from './playlist.ts';
import type { OriginStreamName } from './stats.ts';

/** A segment lookup: the bytes, or why there are none (the origin answers 404 with it). */
export type SegmentLookup =
  { readonly found: true; readonly data: Uint8Array } | { readonly found: false; readonly reason: string };

/** What {@link OriginMedia} needs besides the clip. */
export interface OriginMediaOptions extends LiveTimelineOptions {
  /** Milliseconds, by the origin's clock. */
  readonly now: () => number;
  /** When the live stream started, by the same clock. */
  readonly startedAt: number;
}

/**
 * The two streams made from one clip: `vod` serves it as is; `live` loops it on a sliding window
 * that follows the clock, retiming each loop so the timeline never jumps back.
 */
export class OriginMedia {
  readonly timeline: LiveTimeline;
  private readonly durations: readonly number[];
  private readonly target: number;
  private readonly vodText: string;
  /** Recently retimed live segments; many viewers ask for the same few. */
  private readonly liveCache = new Map<number, Uint8Array>();
  private readonly liveCacheSize: number;

  constructor(
    readonly clip: Clip,
    private readonly options: OriginMediaOptions,
  ) {
    this.durations = clip.segments.map((segment) => segment.duration);
    this.target = targetDuration(this.durations);
    this.vodText = vodPlaylist(this.durations);
    this.timeline = new LiveTimeline(this.durations, options);
    this.liveCacheSize = options.windowSize + options.retention + 2;
  }

  /** Live window now. */
  liveWindow(): LiveWindow {
    return this.timeline.windowAt(this.options.now() - this.options.startedAt);
  }

  /** The playlist text of `stream` now. */
  playlist(stream: OriginStreamName): string {
    if (stream === 'vod') return this.vodText;
    return livePlaylist(this.liveWindow(), (sequence) => this.timeline.durationOf(sequence), this.target);
  }

  /** The init segment (shared by both streams). */
  init(): Uint8Array {
    return this.clip.init;
  }

  /** Media segment `sequence` of `stream`, if it is served now. */
  segment(stream: OriginStreamName, sequence: number): SegmentLookup {
    if (stream === 'vod') {
      const segment = this.clip.segments[sequence];
      return segment
        ? { found: true, data: segment.data }
        : { found: false, reason: `no vod segment ${sequence}` };
    }
    const window = this.liveWindow();
    if (!Number.isSafeInteger(sequence) || sequence < window.oldestServed || sequence > window.last) {
      const reason = `live segment ${sequence} is not served now (${window.oldestServed}–${window.last})`;
      return { found: false, reason };
    }
    let data = this.liveCache.get(sequence);
    if (!data) {
      data = loopedSegment(this.clip, sequence);
      this.liveCache.set(sequence, data);
      for (const old of this.liveCache.keys()) {
        if (this.liveCache.size <= this.liveCacheSize) break;
        this.liveCache.delete(old);
      }
    }
    return { found: true, data };
  }

  /** Size in bytes of segment `sequence` of `stream` (live segments are as large as the clip's). */
  segmentBytes(stream: OriginStreamName, sequence: number): number {
    const count = this.clip.segments.length;
    const valid = Number.isSafeInteger(sequence) && sequence >= 0 && (stream === 'live' || sequence < count);
    const segment = this.clip.segments[sequence % count];
    if (!valid || !segment) throw new OriginError('out-of-range', `${stream} has no segment ${sequence}`);
    return segment.data.length;
  }

  /** Bytes of one copy of segments `fromSequence` … `toSequence` (inclusive) of `stream`. */
  oneCopyBytes(stream: OriginStreamName, fromSequence: number, toSequence: number): number {
    let total = 0;
    for (let sequence = fromSequence; sequence <= toSequence; sequence += 1) {
      total += this.segmentBytes(stream, sequence);
    }
    return total;
  }
}
