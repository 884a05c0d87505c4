#!/usr/bin/env node
// `npm start`: the whole system on this machine. Builds the player and the admin dashboard when
// their build is missing or older than their sources, then runs apps/signaling/src/stack.ts
// (coordinator, demo origin, two local relays) through tsx, passing Ctrl-C / SIGTERM on so the
// relays leave gracefully before the servers stop.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SKIP = new Set(['node_modules', 'dist', '.tsbuild', 'test-results']);

const apps = [
  { workspace: 'apps/player', name: 'player' },
  { workspace: 'apps/admin', name: 'admin dashboard' },
];

/** Newest modification time under `target` (a file or a directory), 0 if absent. */
function newest(target) {
  let stats;
  try {
    stats = statSync(target);
  } catch {
    return 0;
  }
  if (!stats.isDirectory()) return stats.mtimeMs;
  let latest = stats.mtimeMs;
  for (const entry of readdirSync(target)) {
    if (!SKIP.has(entry)) latest = Math.max(latest, newest(path.join(target, entry)));
  }
  return latest;
}

function builtAt(workspace) {
  try {
    return statSync(path.join(ROOT, workspace, 'dist', 'index.html')).mtimeMs;
  } catch {
    return undefined;
  }
}

function sourcesChangedAt(workspace) {
  const inputs = ['src', 'index.html', 'public', 'package.json', 'vite.config.ts', 'tsconfig.json'].map((p) =>
    path.join(ROOT, workspace, p),
  );
  inputs.push(path.join(ROOT, 'packages/core/src'));
  return Math.max(...inputs.map(newest));
}

const stale = apps.filter((app) => {
  const built = builtAt(app.workspace);
  if (built === undefined) {
    console.log(`• ${app.name}: not built yet`);
    return true;
  }
  if (built < sourcesChangedAt(app.workspace)) {
    console.log(`• ${app.name}: sources changed since the last build`);
    return true;
  }
  return false;
});

/** The child running now (the build, then the stack); signals go to it. */
let current;
/** Set on the first signal, so a build interrupted by Ctrl-C does not go on to start the stack. */
let interrupted = false;
// Ctrl-C in a terminal reaches the whole process group, children included: this process only
// waits for them. SIGTERM and SIGHUP (a supervisor, a closed terminal) are passed on.
process.on('SIGINT', () => {
  interrupted = true;
});
for (const signal of ['SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    interrupted = true;
    if (current && current.exitCode === null) current.kill(signal);
    else process.exit(1);
  });
}

/** Runs a command with inherited output; resolves with its exit code (or signal name). */
function run(command, args) {
  return new Promise((resolve) => {
    current = spawn(command, args, { cwd: ROOT, stdio: 'inherit' });
    current.on('error', (error) => resolve(error.message));
    current.on('exit', (code, signal) => resolve(code ?? signal));
  });
}

if (stale.length > 0) {
  console.log(`▶ building ${stale.map((a) => a.name).join(' and ')} (npm run build)…`);
  const started = Date.now();
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const status = await run(npm, ['run', 'build', ...stale.flatMap((a) => ['-w', a.workspace])]);
  if (interrupted) process.exit(130);
  if (status === 0) {
    console.log(`✔ built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } else {
    console.warn(
      `✖ the build failed (${status}); starting anyway — the coordinator shows a "not built" ` +
        'page where a build is missing.\n',
    );
  }
} else {
  console.log('✔ player and admin dashboard are up to date\n');
}

const status = await run(process.execPath, [
  '--import',
  'tsx',
  path.join(ROOT, 'apps/signaling/src/stack.ts'),
  ...process.argv.slice(2),
]);
process.exit(typeof status === 'number' ? status : 1);
