import { describe, expect, it } from 'vitest';
import { DEFAULT_DEADLINE_POLICY, p2pDeadlineMs, TransferEstimator } from './deadline.ts';

const policy = {
  safetyMarginMs: 1000,
  minP2pMs: 200,
  maxP2pMs: 5000,
  startupBudgetMs: 400,
  emptyBufferSec: 0.5,
};

describe('p2pDeadlineMs', () => {
  it('leaves the buffer minus margin minus expected HTTP time to the peers', () => {
    expect(p2pDeadlineMs(4, 1500, policy)).toBe(4000 - 1000 - 1500);
  });

  it('is shorter with less buffered', () => {
    expect(p2pDeadlineMs(3, 500, policy)).toBeLessThan(p2pDeadlineMs(5, 500, policy));
  });

  it('never goes below the minimum or above the maximum', () => {
    expect(p2pDeadlineMs(1, 5000, policy)).toBe(200);
    expect(p2pDeadlineMs(60, 100, policy)).toBe(5000);
  });

  it('uses the startup budget when the buffer is empty or nonsense', () => {
    expect(p2pDeadlineMs(0, 100, policy)).toBe(400);
    expect(p2pDeadlineMs(0.49, 100, policy)).toBe(400);
    expect(p2pDeadlineMs(-3, 100, policy)).toBe(400);
    expect(p2pDeadlineMs(Number.NaN, 100, policy)).toBe(400);
  });

  it('has sane defaults', () => {
    expect(p2pDeadlineMs(0, 0, DEFAULT_DEADLINE_POLICY)).toBe(DEFAULT_DEADLINE_POLICY.startupBudgetMs);
    expect(p2pDeadlineMs(30, 0, DEFAULT_DEADLINE_POLICY)).toBe(DEFAULT_DEADLINE_POLICY.maxP2pMs);
  });
});

describe('TransferEstimator', () => {
  it('expects HTTP to take size over throughput', () => {
    const e = new TransferEstimator({ httpBytesPerSecond: 1_000_000, segmentBytes: 500_000 });
    expect(e.expectedHttpMs()).toBe(500);
    expect(e.expectedHttpMs(2_000_000)).toBe(2000);
  });

  it('moves towards observed throughput and sizes', () => {
    const e = new TransferEstimator({ httpBytesPerSecond: 1_000_000, segmentBytes: 500_000 });
    for (let i = 0; i < 30; i++) {
      e.recordHttp(1_000_000, 4000);
      e.recordSegment(2_000_000);
    }
    expect(e.httpBytesPerSecond).toBeCloseTo(250_000, -2);
    expect(e.typicalSegmentBytes).toBeCloseTo(2_000_000, -3);
  });

  it('ignores empty fetches', () => {
    const e = new TransferEstimator({ httpBytesPerSecond: 1_000_000, segmentBytes: 1 });
    e.recordHttp(0, 10_000);
    expect(e.httpBytesPerSecond).toBe(1_000_000);
  });
});
