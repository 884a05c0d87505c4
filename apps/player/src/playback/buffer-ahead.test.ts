import { describe, expect, it } from 'vitest';
import { bufferAheadSec, type TimeRangesLike } from './buffer-ahead.ts';

function ranges(...pairs: Array<[number, number]>): TimeRangesLike {
  return {
    length: pairs.length,
    start: (i) => pairs[i]?.[0] ?? Number.NaN,
    end: (i) => pairs[i]?.[1] ?? Number.NaN,
  };
}

describe('bufferAheadSec', () => {
  it('is zero when nothing is buffered', () => {
    expect(bufferAheadSec(ranges(), 0)).toBe(0);
  });

  it('measures from the playhead to the end of the range holding it', () => {
    expect(bufferAheadSec(ranges([0, 10]), 4)).toBe(6);
  });

  it('bridges holes smaller than maxHoleSec', () => {
    expect(bufferAheadSec(ranges([0, 4], [4.2, 8], [8.1, 12]), 1, 0.5)).toBeCloseTo(11);
  });

  it('stops at a hole larger than maxHoleSec', () => {
    expect(bufferAheadSec(ranges([0, 4], [6, 12]), 1, 0.5)).toBe(3);
  });

  it('counts a range that starts just after the playhead, as at startup', () => {
    expect(bufferAheadSec(ranges([0.2, 6]), 0)).toBeCloseTo(6);
  });

  it('is zero when the playhead sits in a large hole', () => {
    expect(bufferAheadSec(ranges([0, 4], [10, 12]), 6)).toBe(0);
  });

  it('ignores ranges behind the playhead and handles unsorted input', () => {
    expect(bufferAheadSec(ranges([20, 30], [0, 5]), 22)).toBe(8);
  });

  it('is zero at the very end of the buffer and for a non-finite playhead', () => {
    expect(bufferAheadSec(ranges([0, 5]), 5)).toBe(0);
    expect(bufferAheadSec(ranges([0, 5]), Number.NaN)).toBe(0);
  });
});
