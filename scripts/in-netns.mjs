#!/usr/bin/env node
// Runs a command inside a fresh loopback-only network namespace when we can make one (root with
// `unshare`), so WebRTC tests and benchmarks never send a packet beyond 127.0.0.1. Elsewhere (a
// developer's laptop without root) the command runs as is.
// Usage: node scripts/in-netns.mjs <command> [args…]
import { spawn, spawnSync } from 'node:child_process';

const argv = process.argv.slice(2);
if (argv.length === 0) {
  console.error('usage: in-netns.mjs <command> [args…]');
  process.exit(2);
}

const alreadyInside = process.env.P2PCDN_NETNS === '1';
const canUnshare =
  !alreadyInside &&
  process.platform === 'linux' &&
  typeof process.getuid === 'function' &&
  process.getuid() === 0 &&
  spawnSync('unshare', ['-n', 'true']).status === 0;

const env = { ...process.env, P2PCDN_NETNS: canUnshare || alreadyInside ? '1' : '0' };
const child = canUnshare
  ? spawn('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec "$@"', 'in-netns', ...argv], {
      stdio: 'inherit',
      env,
    })
  : spawn(argv[0], argv.slice(1), { stdio: 'inherit', env });

// Pass Ctrl-C and timeouts on to the command so nothing is left running.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
child.on('error', (err) => {
  console.error(`in-netns: could not run ${argv[0]}: ${err.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  process.exit(code ?? (signal ? 128 + 1 : 1));
});
