#!/usr/bin/env node
// `npm test`: every check the project has, in order, stopping at the first failure.
// lint → typecheck → build the SPAs → every workspace's tests in workspace order: unit and
// integration (WebRTC ones in a loopback-only namespace), then e2e (Playwright in real Chromium
// against the built SPAs).
import { spawnSync } from 'node:child_process';

const steps = [
  ['lint', 'npm', ['run', 'lint']],
  ['typecheck', 'npm', ['run', 'typecheck']],
  ['build player and admin', 'npm', ['run', 'build', '-w', 'apps/player', '-w', 'apps/admin']],
  ['tests: unit, integration, end to end', 'npm', ['run', 'test', '--workspaces', '--if-present']],
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
