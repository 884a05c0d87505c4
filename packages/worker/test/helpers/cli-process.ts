import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The relay CLI launcher, as volunteers run it (`npx p2pcdn-relay`). */
const LAUNCHER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/p2pcdn-relay.js');

/** A running `p2pcdn-relay` process and what it printed. */
export class CliProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();

  constructor(args: readonly string[]) {
    this.child = spawn(process.execPath, [LAUNCHER, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DEBUG_COLORS: '0' },
    });
    const collect = (chunk: Buffer): void => {
      this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      // P2PCDN_TEST_TRACE=1 echoes the processes' output (add DEBUG=p2pcdn:* for their logs).
      if (process.env.P2PCDN_TEST_TRACE) process.stderr.write(chunk);
      for (const wake of [...this.waiters]) wake();
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** Resolves with the first line matching `pattern` (rejects after `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const line = this.lines.find((l) => pattern.test(l));
        if (line === undefined) return false;
        this.waiters.delete(wake);
        clearTimeout(timer);
        resolve(line);
        return true;
      };
      const wake = (): void => void check();
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(
          new Error(`no line matching ${pattern} within ${timeoutMs} ms; got:\n${this.lines.join('\n')}`),
        );
      }, timeoutMs);
      if (!check()) this.waiters.add(wake);
    });
  }

  /** Sends SIGINT (a graceful leave) and resolves with the exit code. */
  async interrupt(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGINT');
    return this.exited;
  }

  /** Kills the process if it still runs (test clean-up). */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}
