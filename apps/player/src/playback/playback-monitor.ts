import { bufferAheadSec, type TimeRangesLike } from './buffer-ahead.ts';

/** The slice of `HTMLMediaElement` the monitor watches; a real `<video>` satisfies it. */
export interface MediaLike {
  readonly currentTime: number;
  readonly buffered: TimeRangesLike;
  readonly seeking: boolean;
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/** What the monitor has seen so far. */
export interface PlaybackFigures {
  /** Milliseconds from page start to the first frame, once playback has started. */
  startupMs: number | null;
  /** Times playback waited for data after it had started (seeks excluded). */
  stalls: number;
  /** Seconds the playhead has advanced by playing (seeks and live-edge jumps excluded). */
  playedSec: number;
  /** Seconds buffered ahead of the playhead. */
  bufferSec: number;
}

/** Largest playhead step between two `timeupdate`s still counted as playing (browsers fire ~4 Hz). */
const MAX_PLAY_STEP_SEC = 5;

/**
 * Derives startup time, stalls and played seconds from media element events. Startup ends at the
 * first `playing` (or a `timeupdate` that moves the playhead) after `loadeddata`; `now()` must be
 * milliseconds since page start (`performance.now()`).
 */
export class PlaybackMonitor {
  private loaded = false;
  private startupMs: number | null = null;
  private stalls = 0;
  private playedSec = 0;
  private lastTime: number | null = null;
  private readonly listeners: Array<[string, () => void]>;

  constructor(
    private readonly media: MediaLike,
    private readonly now: () => number,
    /** Called at each stall (a `waiting` counted in `stalls`). */
    private readonly onStall: () => void = () => {},
  ) {
    this.listeners = [
      ['loadeddata', () => (this.loaded = true)],
      ['playing', () => this.markStarted()],
      ['timeupdate', () => this.onTimeUpdate()],
      ['waiting', () => this.onWaiting()],
      ['seeking', () => (this.lastTime = null)],
      ['emptied', () => (this.lastTime = null)],
    ];
    for (const [type, listener] of this.listeners) media.addEventListener(type, listener);
  }

  /** The figures as of now. */
  figures(): PlaybackFigures {
    return {
      startupMs: this.startupMs,
      stalls: this.stalls,
      playedSec: this.playedSec,
      bufferSec: this.bufferAheadSec(),
    };
  }

  /** Seconds buffered ahead of the playhead right now (the segment loader's deadline). */
  bufferAheadSec(): number {
    return bufferAheadSec(this.media.buffered, this.media.currentTime);
  }

  /** Stops listening. */
  dispose(): void {
    for (const [type, listener] of this.listeners) this.media.removeEventListener(type, listener);
  }

  private markStarted(): void {
    if (this.startupMs === null && this.loaded) this.startupMs = Math.round(this.now());
  }

  private onTimeUpdate(): void {
    const time = this.media.currentTime;
    const last = this.lastTime;
    this.lastTime = time;
    if (last === null || this.media.seeking) return;
    const step = time - last;
    if (step <= 0 || step > MAX_PLAY_STEP_SEC) return;
    this.markStarted();
    if (this.startupMs !== null) this.playedSec += step;
  }

  private onWaiting(): void {
    if (this.startupMs === null || this.media.seeking) return;
    this.stalls++;
    this.onStall();
  }
}
