import type { Clock } from '@p2pcdn/core';

/**
 * A player's timeline without a decoder: media is "played" in real time from the moment the
 * first segment arrived, the buffer is what was loaded minus what was played, and a stall is
 * counted whenever the playhead caught up with the buffer before the next segment arrived.
 */
export class PlaybackModel {
  private readonly createdAt: number;
  private startedAt: number | undefined;
  private stalledMs = 0;
  private loadedSec = 0;
  /** Times playback waited for data after it had started. */
  stalls = 0;
  /** Milliseconds from creation to the first media segment. */
  startupMs: number | undefined;

  constructor(private readonly clock: Clock) {
    this.createdAt = clock.now();
  }

  /** Seconds of media played so far. */
  playheadSec(): number {
    if (this.startedAt === undefined) return 0;
    return Math.min(this.loadedSec, this.rawPlayheadSec());
  }

  /** Seconds of media loaded and not yet played. */
  bufferAheadSec(): number {
    return this.loadedSec - this.playheadSec();
  }

  /** Records a media segment of `durationSec` as loaded now. */
  append(durationSec: number): void {
    const now = this.clock.now();
    if (this.startedAt === undefined) {
      this.startedAt = now;
      this.startupMs = now - this.createdAt;
    } else {
      const overrun = this.rawPlayheadSec() - this.loadedSec;
      if (overrun > 0) {
        this.stalls++;
        this.stalledMs += overrun * 1000;
      }
    }
    this.loadedSec += durationSec;
  }

  /** Resolves once at most `maxSec` of media is buffered ahead (at once if already so). */
  waitForRoom(maxSec: number): Promise<void> {
    const excess = this.bufferAheadSec() - maxSec;
    if (excess <= 0) return Promise.resolve();
    return new Promise((resolve) => this.clock.setTimeout(resolve, excess * 1000));
  }

  private rawPlayheadSec(): number {
    return ((this.startedAt === undefined ? 0 : this.clock.now() - this.startedAt) - this.stalledMs) / 1000;
  }
}
