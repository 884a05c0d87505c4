/**
 * A stack for the striped-pull e2e tests, in this process so a test can look inside: the demo
 * origin (signing its manifests), a coordinator cutting every stream into `stripes` stripes (one
 * parent per stripe per viewer, as `--stripes K` does), and relay workers as real `p2pcdn-relay`
 * processes, each with its own upload cap and, for the poison test, `--poison FRACTION`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOrigin, type DemoOrigin } from '../apps/signaling/src/origin/index.ts';
import { startCoordinator, type RunningCoordinator } from '../apps/signaling/src/server.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RELAY_CLI = path.join(ROOT, 'packages/worker/bin/p2pcdn-relay.js');

/** The demo's live stream, registered signed. */
export const LIVE_STREAM = 'demo-live';

/** One relay worker to start. */
export interface RelaySpec {
  name: string;
  /** Its upload cap, Mbit/s. */
  uploadMbps: number;
  /** TEST MODE: fraction of data blocks it corrupts. */
  poison?: number;
}

/** A running relay worker process. */
export interface RelayProcess {
  name: string;
  /** Its node id at the coordinator. */
  id: string;
  child: ChildProcess;
  /** Everything it printed so far. */
  output: () => string;
}

export interface StripedStack {
  origin: DemoOrigin;
  running: RunningCoordinator;
  relays: RelayProcess[];
  /** Kills what is left of the relays, closes the servers and removes the data directory. */
  stop: () => Promise<void>;
}

async function startRelay(signalUrl: string, spec: RelaySpec, timeoutMs: number): Promise<RelayProcess> {
  const args = [RELAY_CLI, '--signal', signalUrl, '--bind-address', '127.0.0.1', '--name', spec.name];
  args.push('--region', 'local', '--upload-mbps', String(spec.uploadMbps), '--cache-mb', '64');
  if (spec.poison !== undefined) args.push('--poison', String(spec.poison));
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const id = /\brelay (\S+) registered/.exec(out)?.[1];
    if (id) return { name: spec.name, id, child, output: () => out };
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`relay ${spec.name} did not register:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts origin, coordinator (`stripes` stripes) and `relays`; the live stream is registered signed. */
export async function startStripedStack(options: {
  stripes: number;
  relays: readonly RelaySpec[];
  /** Planner overrides (e.g. forecasting off). */
  planner?: Record<string, unknown>;
}): Promise<StripedStack> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'p2pcdn-e2e-stripes-'));
  const origin = await startOrigin({ host: '127.0.0.1', port: 0 });
  const relays: RelayProcess[] = [];
  let running: RunningCoordinator | undefined;
  const stop = async (): Promise<void> => {
    for (const r of relays)
      if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    await running?.close();
    await origin.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    running = await startCoordinator({
      host: '127.0.0.1',
      port: 0,
      dataDir,
      token: 'e2e-stripes-token',
      planner: { kind: 'tiered', stripes: options.stripes, ...options.planner },
    });
    await running.registrar.register({
      id: LIVE_STREAM,
      url: origin.streams.live,
      publicKey: origin.publicKey,
      manifestUrl: origin.manifests.live,
    });
    // One at a time: on 2 busy cores, three relays booting tsx at once each take long to register.
    for (const spec of options.relays) relays.push(await startRelay(running.url, spec, 60_000));
    return { origin, running, relays, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
