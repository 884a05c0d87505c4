import { ManualClock, type StreamInfo } from '@p2pcdn/core';
import { describe, expect, it } from 'vitest';
import type { PlaylistSegments } from '../streams/playlist-segments.ts';
import { SequenceFeed } from './sequence-feed.ts';

const LIVE: StreamInfo = {
  id: 'live',
  title: 'Live',
  url: 'http://o/live.m3u8',
  bitrateKbps: 1000,
  createdAt: 0,
};

/** A playlist reader whose answers the test hands out one by one. */
function reader() {
  const calls: Array<{ url: string; settle: (p: PlaylistSegments | Error) => void }> = [];
  const read = (stream: StreamInfo): Promise<PlaylistSegments> =>
    new Promise((resolve, reject) => {
      calls.push({ url: stream.url, settle: (p) => (p instanceof Error ? reject(p) : resolve(p)) });
    });
  return { read, calls };
}

const playlist = (first: number, live = true): PlaylistSegments => ({
  live,
  targetDurationMs: 2000,
  segments: [0, 1, 2].map((i) => ({ key: `http://o/seg-${first + i}.m4s`, sequence: first + i })),
});

const settled = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('SequenceFeed', () => {
  it('reads a playlist on the first question, once for concurrent ones', async () => {
    const clock = new ManualClock(0);
    const { read, calls } = reader();
    const feed = new SequenceFeed(clock, read);
    const a = feed.ready(LIVE);
    const b = feed.ready(LIVE);
    expect(calls).toHaveLength(1);
    calls[0]?.settle(playlist(10));
    await Promise.all([a, b]);
    expect(feed.index.range('live')).toEqual({ first: 10, last: 12, segments: 3 });
    await feed.ready(LIVE);
    expect(calls).toHaveLength(1);
  });

  it('rereads a live playlist once it is older than its target duration, in the background', async () => {
    const clock = new ManualClock(0);
    const { read, calls } = reader();
    const feed = new SequenceFeed(clock, read);
    const first = feed.ready(LIVE);
    calls[0]?.settle(playlist(10));
    await first;
    await clock.advance(1999);
    feed.tick([LIVE]);
    expect(calls).toHaveLength(1);
    await clock.advance(1);
    feed.tick([LIVE]);
    feed.tick([LIVE]);
    expect(calls).toHaveLength(2);
    // A question meanwhile is answered from what is indexed, without waiting.
    await feed.ready(LIVE);
    calls[1]?.settle(playlist(12));
    await settled();
    expect(feed.index.range('live')).toEqual({ first: 10, last: 14, segments: 5 });
  });

  it('reads an on-demand playlist only once', async () => {
    const clock = new ManualClock(0);
    const { read, calls } = reader();
    const feed = new SequenceFeed(clock, read);
    const first = feed.ready(LIVE);
    calls[0]?.settle(playlist(0, false));
    await first;
    await clock.advance(60_000);
    feed.tick([LIVE]);
    expect(calls).toHaveLength(1);
  });

  it('is unavailable while nothing could be read, and retries after a pause', async () => {
    const clock = new ManualClock(0);
    const { read, calls } = reader();
    const feed = new SequenceFeed(clock, read, { retryMs: 5000 });
    const first = feed.ready(LIVE);
    calls[0]?.settle(new Error('connection refused'));
    await expect(first).rejects.toMatchObject({ kind: 'unavailable', message: /connection refused/ });
    feed.tick([LIVE]);
    expect(calls).toHaveLength(1);
    await clock.advance(5000);
    feed.tick([LIVE]);
    expect(calls).toHaveLength(2);
    calls[1]?.settle(playlist(3));
    await settled();
    await feed.ready(LIVE);
    expect(feed.index.keysAt('live', 4)).toEqual(['http://o/seg-4.m4s']);
  });

  it('discards a read that ends after its stream was removed or re-registered elsewhere', async () => {
    const clock = new ManualClock(0);
    const { read, calls } = reader();
    const feed = new SequenceFeed(clock, read);
    void feed.ready(LIVE).catch(() => {});
    feed.drop('live');
    calls[0]?.settle(playlist(10));
    await settled();
    expect(feed.index.range('live')).toBeUndefined();

    const done = feed.ready(LIVE);
    calls[1]?.settle(playlist(10));
    await done;
    const moved = { ...LIVE, url: 'http://elsewhere/live.m3u8' };
    const again = feed.ready(moved);
    expect(feed.index.range('live')).toBeUndefined();
    expect(calls[2]?.url).toBe(moved.url);
    calls[2]?.settle(playlist(50));
    await again;
    expect(feed.index.range('live')).toEqual({ first: 50, last: 52, segments: 3 });
  });

  it('without a reader, answers from what it was given', async () => {
    const feed = new SequenceFeed(new ManualClock(0), undefined);
    await feed.ready(LIVE);
    feed.index.record('live', [{ key: 'k', sequence: 1 }]);
    feed.tick([LIVE]);
    await feed.ready(LIVE);
    expect(feed.index.keysAt('live', 1)).toEqual(['k']);
  });
});
