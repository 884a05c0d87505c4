import { describe, expect, it } from 'vitest';
import { DEFAULT_PARENT_WAIT_POLICY, parentWaitMs, SetupTimeEstimator } from './parent-wait.ts';

const policy = { ...DEFAULT_PARENT_WAIT_POLICY };
const startup = { nowMs: 1000, waitedMs: 0, bufferAheadSec: 0, typicalSetupMs: 200 };

describe('parentWaitMs', () => {
  it('does not wait when a parent is connected or none is coming', () => {
    expect(parentWaitMs({ state: 'connected' }, startup, policy)).toBe(0);
    expect(parentWaitMs({ state: 'none' }, startup, policy)).toBe(0);
  });

  it('at startup gives a connecting parent the typical setup time with some tolerance', () => {
    // Assigned at 900: due at 900 + 200 × 1.5 + 100 = 1300, i.e. 300 ms from now.
    expect(parentWaitMs({ state: 'connecting', sinceMs: 900 }, startup, policy)).toBe(300);
  });

  it('does not wait for a parent that is already late', () => {
    expect(parentWaitMs({ state: 'connecting', sinceMs: 0 }, startup, policy)).toBe(0);
  });

  it('never waits more than the startup cap however slow setups usually are', () => {
    const slow = { ...startup, typicalSetupMs: 5000 };
    expect(parentWaitMs({ state: 'connecting', sinceMs: 1000 }, slow, policy)).toBe(1000);
    expect(parentWaitMs({ state: 'connecting', sinceMs: 1000 }, { ...slow, waitedMs: 700 }, policy)).toBe(
      300,
    );
  });

  it('waits for an assignment only within what is left of the startup cap', () => {
    expect(parentWaitMs({ state: 'assigning', sinceMs: 0 }, startup, policy)).toBe(1000);
    expect(parentWaitMs({ state: 'assigning', sinceMs: 0 }, { ...startup, waitedMs: 1200 }, policy)).toBe(0);
  });

  it('with media buffered waits as long as the buffer affords beyond the reserve', () => {
    const buffered = { ...startup, bufferAheadSec: 3 };
    // 3 s buffered − 2 s reserve: 1 s, even for a late parent.
    expect(parentWaitMs({ state: 'connecting', sinceMs: 0 }, buffered, policy)).toBe(1000);
    expect(
      parentWaitMs({ state: 'connecting', sinceMs: 0 }, { ...buffered, bufferAheadSec: 1.5 }, policy),
    ).toBe(0);
    expect(
      parentWaitMs({ state: 'connecting', sinceMs: 0 }, { ...buffered, bufferAheadSec: 30 }, policy),
    ).toBe(2000);
  });

  it('treats a nonsense buffer figure as empty', () => {
    const nan = { ...startup, bufferAheadSec: Number.NaN };
    expect(parentWaitMs({ state: 'connecting', sinceMs: 900 }, nan, policy)).toBe(300);
  });
});

describe('SetupTimeEstimator', () => {
  it('replaces its initial guess with the first measurement, then smooths', () => {
    const estimator = new SetupTimeEstimator({ typicalMs: 500 });
    estimator.record(100);
    expect(estimator.typicalMs).toBe(100);
    estimator.record(200);
    expect(estimator.typicalMs).toBeCloseTo(130);
    expect(estimator.samples).toBe(2);
  });

  it('smooths into an initial value that came from earlier measurements', () => {
    const estimator = new SetupTimeEstimator({ typicalMs: 500, measured: true });
    estimator.record(100);
    expect(estimator.typicalMs).toBeCloseTo(380);
  });

  it('ignores nonsense and clamps extremes', () => {
    const estimator = new SetupTimeEstimator({ typicalMs: 300 });
    estimator.record(Number.NaN);
    estimator.record(-5);
    expect(estimator.samples).toBe(0);
    estimator.record(1e9);
    expect(estimator.typicalMs).toBe(10_000);
  });
});
