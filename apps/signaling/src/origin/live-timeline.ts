import { OriginError } from './errors.ts';

/** The live stream's segments at one instant. */
export interface LiveWindow {
  /** First segment in the playlist (EXT-X-MEDIA-SEQUENCE). */
  readonly first: number;
  /** Newest published segment: the live edge. */
  readonly last: number;
  /** Oldest segment still served; older ones, and any after `last`, are 404. */
  readonly oldestServed: number;
}

/** How the live stream unrolls the clip over wall-clock time. */
export interface LiveTimelineOptions {
  /** Segments listed in the playlist. */
  readonly windowSize: number;
  /**
   * Segments still served after they leave the playlist. RFC 8216 §6.2.2 asks for a segment's
   * duration plus the playlist's, i.e. `windowSize + 1` segments, so slow clients and peers that
   * read an older playlist still find them.
   */
  readonly retention: number;
  /** Sequence number of the playlist's first segment when the origin starts. */
  readonly startSequence: number;
}

const MICROS = 1_000_000;

/**
 * Maps time since the origin started onto live sequence numbers. The clip loops: live segment `n`
 * is clip segment `n mod count` and lasts as long. At start a full window is already published
 * (as if the stream had been running); afterwards each new segment appears once its own duration
 * has elapsed, like an encoder that publishes a segment when it has finished it.
 */
export class LiveTimeline {
  private readonly micros: readonly number[];
  /** prefix[i]: start of clip segment i within a loop, µs; prefix[count] is the loop length. */
  private readonly prefix: readonly number[];
  private readonly loopMicros: number;
  /** Start of the first segment published after time 0, on the unrolled timeline. */
  private readonly epoch: number;

  constructor(
    /** Clip segment durations, seconds. */
    durations: readonly number[],
    readonly options: LiveTimelineOptions,
  ) {
    const { windowSize, retention, startSequence } = options;
    if (durations.length === 0 || durations.some((d) => !(d > 0))) {
      throw new OriginError('malformed-clip', 'every clip segment needs a positive duration');
    }
    if (!Number.isInteger(windowSize) || windowSize < 1 || !Number.isInteger(retention) || retention < 0) {
      throw new RangeError('windowSize must be an integer ≥ 1 and retention an integer ≥ 0');
    }
    if (!Number.isSafeInteger(startSequence) || startSequence < 0) {
      throw new RangeError('startSequence must be a non-negative integer');
    }
    // Integer microseconds, so boundaries land exactly where the clip says.
    this.micros = durations.map((d) => Math.round(d * MICROS));
    const prefix = [0];
    for (const d of this.micros) prefix.push((prefix.at(-1) ?? 0) + d);
    this.prefix = prefix;
    this.loopMicros = prefix.at(-1) ?? 0;
    this.epoch = this.startOf(startSequence + windowSize);
  }

  /** Start of live segment `sequence` on the unrolled timeline, µs. */
  private startOf(sequence: number): number {
    const count = this.micros.length;
    return Math.floor(sequence / count) * this.loopMicros + (this.prefix[sequence % count] ?? 0);
  }

  /** The last segment that starts at or before `micros` on the unrolled timeline. */
  private segmentAt(micros: number): number {
    const count = this.micros.length;
    const loop = Math.floor(micros / this.loopMicros);
    const within = micros - loop * this.loopMicros;
    let index = 0;
    while (index + 1 < count && (this.prefix[index + 1] ?? Infinity) <= within) index += 1;
    return loop * count + index;
  }

  /** Duration of live segment `sequence`, seconds. */
  durationOf(sequence: number): number {
    return (this.micros[sequence % this.micros.length] ?? 0) / MICROS;
  }

  /** The window `elapsedMs` after the origin started (negative elapsed counts as 0). */
  windowAt(elapsedMs: number): LiveWindow {
    const { windowSize, retention } = this.options;
    const elapsed = Math.max(0, Math.floor(elapsedMs * 1000));
    // Segment s is published when it has finished: at startOf(s + 1) - epoch.
    const last = this.segmentAt(this.epoch + elapsed) - 1;
    const first = last - windowSize + 1;
    return { first, last, oldestServed: Math.max(0, first - retention) };
  }

  /** Whether live segment `sequence` may be fetched `elapsedMs` after the origin started. */
  isServed(sequence: number, elapsedMs: number): boolean {
    const { oldestServed, last } = this.windowAt(elapsedMs);
    return Number.isSafeInteger(sequence) && sequence >= oldestServed && sequence <= last;
  }
}
