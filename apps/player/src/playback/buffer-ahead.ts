/**
 * The slice of the DOM's `TimeRanges` that buffer arithmetic needs, so it runs (and is tested)
 * without a browser. `HTMLMediaElement.buffered` satisfies it.
 */
export interface TimeRangesLike {
  readonly length: number;
  start(index: number): number;
  end(index: number): number;
}

/**
 * Holes smaller than this (seconds) do not end the buffer: hls.js's gap controller jumps them,
 * and MSE leaves such slivers between fragments whose timestamps do not line up exactly.
 */
export const DEFAULT_MAX_HOLE_SEC = 0.5;

/**
 * Seconds of media buffered ahead of the playhead, i.e. how long playback can continue before it
 * would starve. Ranges are walked in order; the one holding `currentTime` (or starting within
 * `maxHoleSec` after it, as at startup or after a seek) is extended across small holes.
 * Returns 0 when nothing is buffered at the playhead.
 */
export function bufferAheadSec(
  buffered: TimeRangesLike,
  currentTime: number,
  maxHoleSec: number = DEFAULT_MAX_HOLE_SEC,
): number {
  if (!Number.isFinite(currentTime)) return 0;
  const ranges: Array<[number, number]> = [];
  for (let i = 0; i < buffered.length; i++) ranges.push([buffered.start(i), buffered.end(i)]);
  ranges.sort((a, b) => a[0] - b[0]);

  let end: number | null = null;
  for (const [start, rangeEnd] of ranges) {
    if (end === null) {
      if (rangeEnd > currentTime && start - currentTime <= maxHoleSec) end = rangeEnd;
    } else if (start - end <= maxHoleSec) {
      end = Math.max(end, rangeEnd);
    } else {
      break;
    }
  }
  return end === null ? 0 : Math.max(0, end - currentTime);
}
