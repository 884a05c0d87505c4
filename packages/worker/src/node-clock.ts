import type { Clock, TimerHandle } from '@p2pcdn/core';

/** The real {@link Clock}: `performance.now()` and Node timers (unref'd so they never hold the process). */
export const nodeClock: Clock = {
  now: () => performance.now(),
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return timer;
  },
  clearTimeout(handle: TimerHandle): void {
    if (handle !== undefined) clearTimeout(handle as NodeJS.Timeout);
  },
};
