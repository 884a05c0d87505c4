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

  it('rejects a rate that is not positive', () => {
    const clock = new ManualClock();
    expect(() => new TokenBucket(clock, 0, 10)).toThrow(RangeError);
    expect(() => new TokenBucket(clock, Number.NaN, 10)).toThrow(RangeError);
    expect(() => new TokenBucket(clock, 10, -1)).toThrow(RangeError);
  });
});
