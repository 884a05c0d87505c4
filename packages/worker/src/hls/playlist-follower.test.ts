import { ManualClock } from '@p2pcdn/core';
import { describe, expect, it } from 'vitest';
import { PlaylistFollower } from './playlist-follower.ts';

/** A live media playlist whose window is segments [first, last]. */
function live(first: number, last: number, end = false): string {
  const lines = ['#EXTM3U', '#EXT-X-TARGETDURATION:2', `#EXT-X-MEDIA-SEQUENCE:${first}`];
  for (let n = first; n <= last; n++) lines.push('#EXTINF:2.0,', `seg-${n}.m4s`);
  if (end) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

describe('PlaylistFollower', () => {
  it('starts behind the live edge, reloads every half target duration and reports new segments once', async () => {
    const clock = new ManualClock();
    let window = [0, 9];
    let reloads = 0;
    const seen: number[] = [];
    const follower = new PlaylistFollower({
      streamId: 's',
      url: 'http://o/live.m3u8',
      budgetKbps: 1000,
      start: { from: 'live-edge', backSegments: 3 },
      clock,
      load: async () => {
        reloads++;
        return live(window[0] ?? 0, window[1] ?? 0);
      },
      onSegment: (segment) => seen.push(segment.sequence),
    });
    await follower.start();
    expect(seen).toEqual([7, 8, 9]);
    window = [1, 10];
    await clock.advance(999);
    expect(reloads).toBe(1);
    await clock.advance(1);
    expect(reloads).toBe(2);
    expect(seen).toEqual([7, 8, 9, 10]);
    await clock.advance(1000);
    expect(seen).toEqual([7, 8, 9, 10]);
    follower.stop();
    await clock.advance(10_000);
    expect(reloads).toBe(3);
  });

  it('plays a VOD playlist from the start and ends', async () => {
    const clock = new ManualClock();
    const seen: number[] = [];
    let ended = false;
    const follower = new PlaylistFollower({
      streamId: 's',
      url: 'http://o/vod.m3u8',
      budgetKbps: 1000,
      start: { from: 'live-edge', backSegments: 3 },
      clock,
      load: async () => live(0, 4, true),
      onSegment: (segment) => seen.push(segment.sequence),
      onEnd: () => (ended = true),
    });
    await follower.start();
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(ended).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('retries failed reloads with backoff', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const seen: number[] = [];
    const follower = new PlaylistFollower({
      streamId: 's',
      url: 'http://o/live.m3u8',
      budgetKbps: 1000,
      start: { from: 'start' },
      clock,
      load: async () => {
        calls++;
        if (calls === 2 || calls === 3) throw new Error('503');
        return live(0, calls);
      },
      onSegment: (segment) => seen.push(segment.sequence),
    });
    await follower.start();
    await clock.advance(1000); // reload fails, retry in 500 ms
    await clock.advance(500); // fails again, retry in 1000 ms
    await clock.advance(1000);
    expect(calls).toBe(4);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    follower.stop();
  });
});
