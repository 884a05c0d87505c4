import { describe, expect, it } from 'vitest';
import { DATA_FRAME_HEADER_BYTES } from '../protocol/index.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { UploadScheduler, type UploadJob, type UploadTarget } from './upload-scheduler.ts';

interface Sent {
  target: string;
  id: number;
  offset: number;
  length: number;
  at: number;
}

function target(
  name: string,
  clock: ManualClock,
  log: Sent[],
  buffered: () => number = () => 0,
): UploadTarget {
  return {
    bufferedAmount: buffered,
    sendData(id, offset, payload) {
      log.push({ target: name, id, offset, length: payload.byteLength, at: clock.now() });
      return true;
    },
  };
}

function job(t: UploadTarget, id: number, size: number, done: boolean[] = []): UploadJob {
  return { target: t, id, data: new Uint8Array(size), onDone: (ok) => done.push(ok) };
}

const noLog = (): void => {};

describe('UploadScheduler', () => {
  it('sends a whole segment at once when uncapped', async () => {
    const clock = new ManualClock();
    const sent: Sent[] = [];
    const done: boolean[] = [];
    const scheduler = new UploadScheduler({ clock, log: noLog });
    scheduler.start(job(target('a', clock, sent), 1, 200_000, done));
    await clock.advance(0);
    expect(sent.map((s) => s.offset)).toEqual([0, 65536, 131072, 196608]);
    expect(sent.reduce((n, s) => n + s.length, 0)).toBe(200_000);
    expect(done).toEqual([true]);
    expect(scheduler.uploadedBytes).toBe(200_000);
  });

  it('alternates between uploads frame by frame', async () => {
    const clock = new ManualClock();
    const sent: Sent[] = [];
    const scheduler = new UploadScheduler({ clock, log: noLog, bytesPerSecond: 40_960, burstBytes: 1 });
    scheduler.start(job(target('a', clock, sent), 1, 20_000));
    scheduler.start(job(target('b', clock, sent), 2, 20_000));
    scheduler.start(job(target('c', clock, sent), 3, 20_000));
    await clock.advance(5_000);
    const order = sent.map((s) => s.target);
    expect(order.length).toBeGreaterThan(10);
    // Any three consecutive frames go to three different children.
    for (let i = 0; i + 3 <= order.length; i++) expect(new Set(order.slice(i, i + 3)).size).toBe(3);
  });

  it('keeps to the cap in every simulated second', async () => {
    const clock = new ManualClock();
    const sent: Sent[] = [];
    const rate = 100_000;
    const scheduler = new UploadScheduler({ clock, log: noLog, bytesPerSecond: rate });
    for (let i = 0; i < 4; i++) scheduler.start(job(target(`c${i}`, clock, sent), i, 300_000));
    const frame = 5000 + DATA_FRAME_HEADER_BYTES;
    for (let second = 1; second <= 20; second++) {
      await clock.advance(1000);
      const inWindow = sent.filter((s) => s.at > (second - 1) * 1000 && s.at <= second * 1000);
      const bytes = inWindow.reduce((n, s) => n + s.length + DATA_FRAME_HEADER_BYTES, 0);
      // After the initial burst, each second carries the rate, give or take one frame.
      expect(bytes).toBeLessThanOrEqual(second === 1 ? rate + rate / 4 + frame : rate + frame);
    }
    const total = sent.reduce((n, s) => n + s.length, 0);
    expect(total).toBe(1_200_000);
    // 1.2 MB plus headers at 100 kB/s, minus the burst: about twelve seconds, not much less.
    const last = Math.max(...sent.map((s) => s.at));
    expect(last).toBeGreaterThan(11_000);
  });

  it('holds frames back while the link buffer is above the high-water mark', async () => {
    const clock = new ManualClock();
    const sent: Sent[] = [];
    let buffered = 0;
    const scheduler = new UploadScheduler({
      clock,
      log: noLog,
      highWaterMarkBytes: 100_000,
      backpressurePollMs: 10,
    });
    const t: UploadTarget = {
      bufferedAmount: () => buffered,
      sendData(id, offset, payload) {
        sent.push({ target: 't', id, offset, length: payload.byteLength, at: clock.now() });
        buffered += payload.byteLength;
        return true;
      },
    };
    const done: boolean[] = [];
    scheduler.start(job(t, 1, 1_000_000, done));
    await clock.advance(0);
    // 64 KiB frames: two fit under 100 kB, the third waits for the buffer to drain.
    expect(sent).toHaveLength(2);
    buffered = 0;
    await clock.advance(10);
    expect(sent).toHaveLength(4);
    for (let i = 0; i < 20 && done.length === 0; i++) {
      buffered = 0;
      await clock.advance(10);
    }
    expect(done).toEqual([true]);
  });

  it('drops an upload whose link fails and reports it', async () => {
    const clock = new ManualClock();
    const done: boolean[] = [];
    const scheduler = new UploadScheduler({ clock, log: noLog });
    scheduler.start(job({ bufferedAmount: () => 0, sendData: () => false }, 1, 100, done));
    await clock.advance(0);
    expect(done).toEqual([false]);
    expect(scheduler.activeCount).toBe(0);
  });

  it('stops a cancelled upload without calling onDone', async () => {
    const clock = new ManualClock();
    const sent: Sent[] = [];
    const done: boolean[] = [];
    const scheduler = new UploadScheduler({ clock, log: noLog, bytesPerSecond: 10_000, burstBytes: 1 });
    const j = job(target('a', clock, sent), 1, 100_000, done);
    scheduler.start(j);
    await clock.advance(1000);
    const before = sent.length;
    scheduler.cancel(j);
    await clock.advance(10_000);
    expect(sent.length).toBe(before);
    expect(done).toEqual([]);
  });

  it('finishes an empty upload at once', () => {
    const clock = new ManualClock();
    const done: boolean[] = [];
    new UploadScheduler({ clock, log: noLog }).start(job(target('a', clock, []), 1, 0, done));
    expect(done).toEqual([true]);
  });

  it('sends a growing upload only as far as it is readable, resuming on wake without polling', async () => {
    const clock = new ManualClock();
    const sent: Sent[] = [];
    const done: boolean[] = [];
    const scheduler = new UploadScheduler({ clock, log: noLog });
    let readable = 100_000;
    const data = new Uint8Array(200_000);
    scheduler.start({
      target: target('a', clock, sent),
      id: 1,
      data,
      readable: () => readable,
      onDone: (ok) => done.push(ok),
    });
    await clock.advance(0);
    expect(sent.map((s) => [s.offset, s.length])).toEqual([
      [0, 65536],
      [65536, 34464],
    ]);
    // Waiting for data sets no timer: the data's arrival wakes the scheduler.
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(1000);
    expect(sent).toHaveLength(2);

    readable = 200_000;
    scheduler.wake();
    expect(sent.map((s) => [s.offset, s.length]).slice(2)).toEqual([
      [100_000, 65536],
      [165_536, 34464],
    ]);
    expect(done).toEqual([true]);
  });

  it('resumes a link held back by backpressure on wake, before the poll interval', async () => {
    const clock = new ManualClock();
    const sent: Sent[] = [];
    let buffered = 2 * 1024 * 1024;
    const scheduler = new UploadScheduler({ clock, log: noLog, backpressurePollMs: 1000 });
    scheduler.start(
      job(
        target('a', clock, sent, () => buffered),
        1,
        100_000,
      ),
    );
    await clock.advance(10);
    expect(sent).toEqual([]);
    buffered = 0;
    scheduler.wake();
    expect(sent.reduce((n, s) => n + s.length, 0)).toBe(100_000);
    expect(clock.now()).toBe(10);
  });
});

describe('UploadScheduler.paced', () => {
  it('sends a paced frame after its transfer time at the cap, at once without a cap', async () => {
    const clock = new ManualClock();
    const capped = new UploadScheduler({ clock, log: noLog, bytesPerSecond: 100_000 });
    const sentAt: number[] = [];
    capped.paced(20_000, () => sentAt.push(clock.now()));
    await clock.advance(150);
    expect(sentAt).toEqual([]);
    await clock.advance(100);
    expect(sentAt).toEqual([200]);
    const free = new UploadScheduler({ clock, log: noLog });
    free.paced(20_000, () => sentAt.push(clock.now()));
    expect(sentAt).toEqual([200, 250]);
  });
});
