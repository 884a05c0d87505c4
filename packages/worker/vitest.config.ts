import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code in src/; WebRTC integration tests live in test/ and open real
// node-datachannel peers, so `npm test` runs everything inside a loopback-only network namespace.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Integration tests start several relay processes (tsx compiles on start-up).
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
