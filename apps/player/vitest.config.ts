import { defineConfig } from 'vitest/config';

// DOM-free logic only: components and browser wiring are exercised by the Playwright e2e suite.
export default defineConfig({ test: { include: ['src/**/*.test.ts'], environment: 'node' } });
