import { ManualClock } from '@p2pcdn/core';
import { describe, expect, it } from 'vitest';
import { PlaybackModel } from './playback-model.ts';

describe('PlaybackModel', () => {
  it('plays loaded media in real time and counts startup', async () => {
    const clock = new ManualClock();
    const model = new PlaybackModel(clock);
    await clock.advance(300);
    model.append(2);
    expect(model.startupMs).toBe(300);
    model.append(2);
    await clock.advance(1500);
    expect(model.playheadSec()).toBe(1.5);
    expect(model.bufferAheadSec()).toBe(2.5);
    expect(model.stalls).toBe(0);
  });

  it('counts a stall when the playhead reached the end of the buffer', async () => {
    const clock = new ManualClock();
    const model = new PlaybackModel(clock);
    model.append(2);
    await clock.advance(3000);
    expect(model.bufferAheadSec()).toBe(0);
    model.append(2);
    expect(model.stalls).toBe(1);
    expect(model.playheadSec()).toBe(2);
    await clock.advance(1000);
    expect(model.playheadSec()).toBe(3);
  });

  it('waits until the buffer has room', async () => {
    const clock = new ManualClock();
    const model = new PlaybackModel(clock);
    model.append(10);
    let done = false;
    void model.waitForRoom(4).then(() => (done = true));
    await clock.advance(5999);
    expect(done).toBe(false);
    await clock.advance(1);
    expect(done).toBe(true);
  });
});
