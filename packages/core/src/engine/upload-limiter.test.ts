import { describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/manual-clock.ts';
import { TokenBucket } from './upload-limiter.ts';

describe('TokenBucket', () => {
  it('starts full and refills at its rate up to the burst', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(clock, 1000, 500);
    expect(bucket.available()).toBe(500);
    bucket.take(500);
    expect(bucket.canSend()).toBe(false);
    await clock.advance(200);
    expect(bucket.available()).toBe(200);
    await clock.advance(10_000);
    expect(bucket.available()).toBe(500);
  });

  it('lets a frame go on credit and says how long to wait for the debt', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(clock, 1000, 100);
    bucket.take(1100);
    expect(bucket.available()).toBe(-1000);
    const wait = bucket.msUntilSendable();
    expect(wait).toBe(1001);
    await clock.advance(wait);
    expect(bucket.canSend()).toBe(true);
  });

  it('changes rate from now on, cutting a balance above the new burst', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(clock, 1000, 500);
    bucket.take(500);
    await clock.advance(100);
    // The 100 ms already passed refill at the old rate.
    bucket.setRate(4000, 150);
    expect(bucket.available()).toBe(100);
    await clock.advance(10);
    expect(bucket.available()).toBe(140);
    expect(bucket.bytesPerSecond).toBe(4000);
    await clock.advance(1000);
    expect(bucket.available()).toBe(150);
    bucket.setRate(100, 50);
    expect(bucket.available()).toBe(50);
    bucket.take(150);
    expect(bucket.msUntilSendable()).toBe(1010);
    expect(() => bucket.setRate(0, 10)).toThrow(RangeError);
  });

  it('rejects a rate that is not positive', () => {
    const clock = new ManualClock();
    expect(() => new TokenBucket(clock, 0, 10)).toThrow(RangeError);
    expect(() => new TokenBucket(clock, Number.NaN, 10)).toThrow(RangeError);
    expect(() => new TokenBucket(clock, 10, -1)).toThrow(RangeError);
  });
});
