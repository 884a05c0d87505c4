import { describe, expect, it } from 'vitest';
import type { TimeRangesLike } from './buffer-ahead.ts';
import { PlaybackMonitor, type MediaLike } from './playback-monitor.ts';

/** A media element reduced to what the monitor reads, with events fired by hand. */
class FakeMedia implements MediaLike {
  currentTime = 0;
  seeking = false;
  ranges: Array<[number, number]> = [];
  private listeners = new Map<string, Set<() => void>>();

  get buffered(): TimeRangesLike {
    const ranges = this.ranges;
    return { length: ranges.length, start: (i) => ranges[i]?.[0] ?? 0, end: (i) => ranges[i]?.[1] ?? 0 };
  }
  addEventListener(type: string, listener: () => void): void {
    const set = this.listeners.get(type) ?? new Set();
    set.add(listener);
    this.listeners.set(type, set);
  }
  removeEventListener(type: string, listener: () => void): void {
    this.listeners.get(type)?.delete(listener);
  }
  fire(type: string): void {
    for (const listener of this.listeners.get(type) ?? []) listener();
  }
  playTo(time: number): void {
    this.currentTime = time;
    this.fire('timeupdate');
  }
}

function setup() {
  const media = new FakeMedia();
  let now = 0;
  const stallsSeen: number[] = [];
  const monitor = new PlaybackMonitor(
    media,
    () => now,
    () => stallsSeen.push(now),
  );
  return { media, monitor, stallsSeen, setNow: (ms: number) => (now = ms) };
}

describe('PlaybackMonitor', () => {
  it('measures startup at the first playing event after loadeddata', () => {
    const { media, monitor, setNow } = setup();
    setNow(300);
    media.fire('playing'); // before any data: not a frame yet
    expect(monitor.figures().startupMs).toBeNull();
    media.fire('loadeddata');
    setNow(812.4);
    media.fire('playing');
    setNow(2000);
    media.fire('playing');
    expect(monitor.figures().startupMs).toBe(812);
  });

  it('falls back to the first timeupdate that moves the playhead', () => {
    const { media, monitor, setNow } = setup();
    media.fire('loadeddata');
    media.playTo(0);
    setNow(950);
    media.playTo(0.25);
    expect(monitor.figures().startupMs).toBe(950);
  });

  it('counts waiting events after start as stalls, but not before start or while seeking', () => {
    const { media, monitor, stallsSeen, setNow } = setup();
    media.fire('waiting');
    media.fire('loadeddata');
    media.fire('playing');
    setNow(4000);
    media.fire('waiting');
    media.seeking = true;
    media.fire('waiting');
    media.seeking = false;
    setNow(9000);
    media.fire('waiting');
    expect(monitor.figures().stalls).toBe(2);
    expect(stallsSeen).toEqual([4000, 9000]);
  });

  it('adds up played seconds, skipping seeks and jumps', () => {
    const { media, monitor } = setup();
    media.fire('loadeddata');
    media.fire('playing');
    media.playTo(0.5);
    media.playTo(1);
    media.playTo(1.5);
    media.fire('seeking');
    media.playTo(30);
    media.playTo(30.5);
    media.playTo(90); // a live-edge jump
    media.playTo(90.25);
    expect(monitor.figures().playedSec).toBeCloseTo(1.75);
  });

  it('reports the buffer ahead of the playhead', () => {
    const { media, monitor } = setup();
    media.ranges = [[0, 12]];
    media.currentTime = 2;
    expect(monitor.figures().bufferSec).toBe(10);
    expect(monitor.bufferAheadSec()).toBe(10);
  });

  it('stops listening once disposed', () => {
    const { media, monitor } = setup();
    monitor.dispose();
    media.fire('loadeddata');
    media.fire('playing');
    expect(monitor.figures().startupMs).toBeNull();
  });
});
