import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import createDebug from 'debug';

const debug = createDebug('p2pcdn:signaling:stack');

/** How to run one local relay worker. */
export interface LocalRelayOptions {
  /** Repository root (where `packages/worker` lives). */
  root: string;
  /** Coordinator base URL. */
  signalUrl: string;
  name: string;
  uploadMbps: number;
  cacheMb: number;
  region: string;
  /** Local address for WebRTC; loopback keeps a local demo's traffic on this machine. */
  bindAddress?: string;
  /** Receives each output line of the relay (already prefixed with its name). */
  print: (line: string) => void;
}

/** A relay worker running as a child process. */
export interface LocalRelay {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or signal) once the process ended. */
  readonly exited: Promise<string>;
  /** Asks it to leave gracefully (SIGTERM); kills it after `graceMs`. Resolves when it exited. */
  stop(graceMs: number): Promise<string>;
}

/** The relay CLI's entry point, if the worker package is present. */
export function relayCli(root: string): string | undefined {
  const cli = path.join(root, 'packages/worker/src/cli.ts');
  return existsSync(cli) ? cli : undefined;
}

/**
 * Starts `packages/worker/src/cli.ts` as a relay. It runs in its own process group, so a Ctrl-C
 * in the terminal reaches only the stack, which then stops relays one signal at a time (the
 * relay CLI treats a second signal as "quit without leaving").
 */
export function startLocalRelay(options: LocalRelayOptions): LocalRelay {
  const cli = relayCli(options.root);
  if (!cli) throw new Error('packages/worker/src/cli.ts not found');
  const args = [
    '--import',
    'tsx',
    cli,
    '--signal',
    options.signalUrl,
    '--upload-mbps',
    String(options.uploadMbps),
    '--cache-mb',
    String(options.cacheMb),
    '--region',
    options.region,
    '--name',
    options.name,
    ...(options.bindAddress ? ['--bind-address', options.bindAddress] : []),
  ];
  debug('starting %s: node %s', options.name, args.join(' '));
  const child = spawn(process.execPath, args, {
    cwd: options.root,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: process.env,
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => options.print(`[${options.name}] ${line}`));
  }
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? `exit ${code ?? '?'}`));
    child.once('error', (error) => resolve(`failed to start: ${error.message}`));
  });
  let stopping: Promise<string> | undefined;
  return {
    name: options.name,
    child,
    exited,
    stop(graceMs) {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return exited;
        child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const forced = new Promise<string>((resolve) => {
          timer = setTimeout(() => {
            child.kill('SIGKILL');
            resolve('killed after the grace period');
          }, graceMs);
        });
        const how = await Promise.race([exited, forced]);
        clearTimeout(timer);
        return how;
      })();
      return stopping;
    },
  };
}
