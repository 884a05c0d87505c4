/**
 * Starts the real stack (`apps/signaling/src/stack.ts`: coordinator, demo origin, two relay
 * workers) as a child process on free ports with a throwaway data directory, exactly as
 * `npm start` runs it, and stops it the way Ctrl-C does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface RunningStack {
  /** Coordinator base URL, e.g. http://127.0.0.1:41234 (serves player and admin). */
  url: string;
  /** Demo origin base URL. */
  originUrl: string;
  token: string;
  /** Everything the stack printed so far. */
  output: () => string;
  stop: () => Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startStack(
  options: {
    readyTimeoutMs?: number;
    /** Serve this player build instead of apps/player/dist. */ playerDist?: string;
  } = {},
): Promise<RunningStack> {
  const [port, originPort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(path.join(tmpdir(), 'p2pcdn-e2e-'));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'apps/signaling/src/stack.ts')],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        P2PCDN_PORT: String(port),
        P2PCDN_ORIGIN_PORT: String(originPort),
        P2PCDN_DATA_DIR: dataDir,
        ...(options.playerDist ? { P2PCDN_PLAYER_DIST: options.playerDist } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
    rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    const token = /token:\s+(\S+)/.exec(output)?.[1];
    const relaysUp = (output.match(/relay \S+ registered with/gi) ?? []).length >= 2;
    if (token && /p2pcdn is running/.test(output) && relaysUp) {
      return {
        url: `http://127.0.0.1:${port}`,
        originUrl: `http://127.0.0.1:${originPort}`,
        token,
        output: () => output,
        stop,
      };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`the stack did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
