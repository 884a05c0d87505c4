/**
 * When the player's JavaScript started running, ms since page start. `main.tsx` imports this
 * module first, so it is evaluated before React, hls.js and the rest: the time it records is when
 * every chunk had been fetched and parsed.
 */
export const BUNDLE_START_MS: number = performance.now();
