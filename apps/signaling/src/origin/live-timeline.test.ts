import { describe, expect, it } from 'vitest';
import { LiveTimeline } from './live-timeline.ts';

const twoSeconds = Array.from({ length: 16 }, () => 2);

describe('live-timeline', () => {
  it('publishes a full window at start and one more segment per segment duration', () => {
    const timeline = new LiveTimeline(twoSeconds, { windowSize: 6, retention: 7, startSequence: 0 });
    expect(timeline.windowAt(0)).toEqual({ first: 0, last: 5, oldestServed: 0 });
    expect(timeline.windowAt(1999)).toEqual({ first: 0, last: 5, oldestServed: 0 });
    expect(timeline.windowAt(2000)).toEqual({ first: 1, last: 6, oldestServed: 0 });
    expect(timeline.windowAt(20_000)).toEqual({ first: 10, last: 15, oldestServed: 3 });
    // Across the loop boundary, sequence numbers keep counting.
    expect(timeline.windowAt(22_000)).toEqual({ first: 11, last: 16, oldestServed: 4 });
    expect(timeline.windowAt(3_600_000).first).toBe(1800);
  });

  it('serves the window plus the retention, and nothing newer than the edge', () => {
    const timeline = new LiveTimeline(twoSeconds, { windowSize: 3, retention: 2, startSequence: 10 });
    expect(timeline.windowAt(4000)).toEqual({ first: 12, last: 14, oldestServed: 10 });
    expect([9, 10, 14, 15].map((s) => timeline.isServed(s, 4000))).toEqual([false, true, true, false]);
    expect(timeline.isServed(15, 6000)).toBe(true);
    expect(timeline.isServed(1.5, 0)).toBe(false);
  });

  it('follows uneven segment durations and treats a clock before the start as the start', () => {
    const timeline = new LiveTimeline([1, 3, 2], { windowSize: 2, retention: 0, startSequence: 0 });
    // Segments 0 and 1 are out at start; 2 (2 s) after 2 s, 3 (1 s) after 3 s, 4 (3 s) after 6 s.
    expect([-5, 0, 1999, 2000, 2999, 3000, 5999, 6000].map((t) => timeline.windowAt(t).last)).toEqual([
      1, 1, 1, 2, 2, 3, 3, 4,
    ]);
    expect([0, 1, 2, 3, 4].map((s) => timeline.durationOf(s))).toEqual([1, 3, 2, 1, 3]);
  });

  it('rejects empty clips and nonsense windows', () => {
    expect(() => new LiveTimeline([], { windowSize: 3, retention: 0, startSequence: 0 })).toThrow();
    expect(() => new LiveTimeline([0], { windowSize: 3, retention: 0, startSequence: 0 })).toThrow();
    expect(() => new LiveTimeline([2], { windowSize: 0, retention: 0, startSequence: 0 })).toThrow();
    expect(() => new LiveTimeline([2], { windowSize: 1, retention: 0, startSequence: -1 })).toThrow();
  });
});
