#!/usr/bin/env node
// `npm test`: every check the project has, in order, stopping at the first failure.
// lint → typecheck → each workspace's tests (unit + integration; WebRTC ones run in a
// loopback-only namespace) → build the SPAs → Playwright end to end in real Chromium.
import { spawnSync } from 'node:child_process';

const steps = [
  ['lint', 'npm', ['run', 'lint']],
  ['typecheck', 'npm', ['run', 'typecheck']],
  ['unit and integration tests', 'npm', ['run', 'test:unit']],
  ['build player and admin', 'npm', ['run', 'build', '-w', 'apps/player', '-w', 'apps/admin']],
  ['end-to-end tests (Playwright, Chromium)', 'npm', ['run', 'test:e2e']],
];

const only = process.argv.slice(2);
const started = Date.now();
for (const [name, cmd, args] of steps) {
  if (only.length > 0 && !only.some((o) => name.startsWith(o))) continue;
  const t0 = Date.now();
  console.log(`\n▶ ${name}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`\n✖ ${name} failed after ${secs}s (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
  console.log(`✔ ${name} (${secs}s)`);
}
console.log(`\nAll checks passed in ${((Date.now() - started) / 1000).toFixed(0)}s.`);
