/**
 * How the e2e tests and benchmarks launch Chromium: Debian's build (Playwright downloads no
 * browser here), with the flags WebRTC needs inside a loopback-only network namespace.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  // WebRTC between tabs on 127.0.0.1: allow loopback candidates, and gather them at all.
  '--allow-loopback-in-peer-connection',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  // Background tabs must keep playing and relaying at full speed.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];
