import type { Clock } from '@p2pcdn/core';

/** The page's clock: `performance.now()` (ms since page start, hls.js's scale) and window timers. */
export const browserClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => window.setTimeout(fn, ms),
  clearTimeout: (handle) => {
    if (typeof handle === 'number') window.clearTimeout(handle);
  },
};
