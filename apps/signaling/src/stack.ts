/**
 * The whole system on one machine (`npm start` runs this through `scripts/start.mjs`): the
 * coordinator, the demo origin with its streams registered as `demo-live` and `demo-vod`, and two
 * local relay workers. Ctrl-C or SIGTERM stops the relays first (they leave gracefully, their
 * children move), then the servers, and exits 0.
 */
import type { StreamInfo } from '@p2pcdn/core';
import path from 'node:path';
import { REPO_ROOT, parsePort, ConfigError, resolveConfig } from './config.ts';
import { DatabaseError } from './db/database.ts';
import { enableErrorLogByDefault } from './log.ts';
import { startOrigin, type DemoOrigin, type OriginStreamName } from './origin/index.ts';
import { startCoordinator, type RunningCoordinator } from './server.ts';
import { relayCli, startLocalRelay, type LocalRelay } from './stack/local-relays.ts';

/** The demo's streams: coordinator id → origin stream. */
const DEMO_STREAMS: ReadonlyArray<{ id: string; title: string; origin: OriginStreamName }> = [
  { id: 'demo-live', title: 'Demo clip, live (looping)', origin: 'live' },
  { id: 'demo-vod', title: 'Demo clip, on demand', origin: 'vod' },
];
const RELAYS = ['relay-1', 'relay-2'];
const RELAY_GRACE_MS = 15_000;

function say(line: string): void {
  console.log(line);
}

/** Bytes the demo origin sent for a coordinator stream, if it is one of the demo's. */
function demoOriginBytes(origin: DemoOrigin, stream: StreamInfo): number | undefined {
  const demo = DEMO_STREAMS.find((d) => d.id === stream.id && origin.streams[d.origin] === stream.url);
  if (!demo) return undefined;
  const c = origin.stats().streams[demo.origin];
  return c.segmentBytes + c.initBytes + c.playlistBytes;
}

/** Resolves at the first SIGINT/SIGTERM/SIGHUP; later ones only get a line. */
function firstSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (received) {
        say(`${signal}: already stopping…`);
        return;
      }
      received = true;
      resolve(signal);
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  });
}

async function main(): Promise<number> {
  enableErrorLogByDefault();
  const stopping = firstSignal();
  let port: number;
  let originPort: number;
  try {
    port = parsePort('P2PCDN_PORT', process.env.P2PCDN_PORT ?? '8080');
    originPort = parsePort('P2PCDN_ORIGIN_PORT', process.env.P2PCDN_ORIGIN_PORT ?? '8081');
  } catch (error) {
    console.error(`p2pcdn: ${(error as Error).message}`);
    return 2;
  }

  let origin: DemoOrigin | undefined;
  let running: RunningCoordinator | undefined;
  const relays: LocalRelay[] = [];
  let shuttingDown = false;
  // Should this process die anyway, take the relays (in their own process groups) with it.
  process.once('exit', () => {
    for (const relay of relays) if (relay.child.exitCode === null) relay.child.kill('SIGTERM');
  });

  try {
    say(`▶ starting the demo origin on 127.0.0.1:${originPort}…`);
    // The publisher key lives beside the database: viewers trust it, so it must survive restarts.
    const keyFile = path.join(resolveConfig().dataDir, 'publisher-key.json');
    origin = await startOrigin({ host: '127.0.0.1', port: originPort, keyFile });
    const demo = origin;
    say(`▶ starting the coordinator on 127.0.0.1:${port}…`);
    running = await startCoordinator({ port, originBytes: (stream) => demoOriginBytes(demo, stream) });
    for (const d of DEMO_STREAMS) {
      const info = await running.registrar.ensure({
        id: d.id,
        title: d.title,
        url: demo.streams[d.origin],
        publicKey: demo.publicKey,
        manifestUrl: demo.manifests[d.origin],
      });
      say(
        `  stream ${info.id}: ${info.url} (${info.bitrateKbps} kbit/s${info.live ? ', live' : ''}, signed)`,
      );
    }
    if (relayCli(REPO_ROOT)) {
      for (const name of RELAYS) {
        const relay = startLocalRelay({
          root: REPO_ROOT,
          signalUrl: running.url,
          name,
          uploadMbps: 20,
          cacheMb: 256,
          region: 'local',
          // The coordinator listens on loopback only, so every peer is on this machine.
          bindAddress: '127.0.0.1',
          print: say,
        });
        relays.push(relay);
        void relay.exited.then((how) => {
          if (!shuttingDown) say(`[${name}] exited unexpectedly (${how}); continuing without it`);
        });
      }
    } else {
      say('  (packages/worker/src/cli.ts is missing: running without local relays)');
    }
  } catch (error) {
    console.error(`p2pcdn: could not start: ${describe(error)}`);
    shuttingDown = true;
    await shutdown(relays, running, origin);
    return 1;
  }

  const url = running.url;
  say('');
  say('p2pcdn is running:');
  say(`  player:  ${url}/?stream=demo-live   (or ?stream=demo-vod, or ${url}/ for the list)`);
  say(`  admin:   ${url}/admin/#token=${running.token}`);
  say(`  token:   ${running.token}   (Authorization: Bearer … for POST/DELETE /api/streams)`);
  say(`  origin:  ${origin.url}   (counters at ${origin.url}/stats)`);
  say(`  key:     ${origin.publicKey}   (publisher key, kept in the data dir)`);
  say(
    `  relays:  ${relays.length > 0 ? relays.map((r) => r.name).join(', ') + ' (20 Mbit/s up each)' : 'none'}`,
  );
  say('Stop with Ctrl-C: the relays leave first, then the servers stop.');

  const signal = await stopping;
  say(`\n${signal}: stopping…`);
  shuttingDown = true;
  await shutdown(relays, running, origin);
  say('stopped');
  return 0;
}

/** Relays first (gracefully, in parallel), then the coordinator, then the origin. */
async function shutdown(
  relays: readonly LocalRelay[],
  running: RunningCoordinator | undefined,
  origin: DemoOrigin | undefined,
): Promise<void> {
  if (relays.length > 0) {
    say(`  asking ${relays.map((r) => r.name).join(' and ')} to leave…`);
    const outcomes = await Promise.all(relays.map((r) => r.stop(RELAY_GRACE_MS)));
    relays.forEach((r, i) => say(`  ${r.name}: ${outcomes[i] ?? 'stopped'}`));
  }
  if (running) {
    await running.close();
    say('  coordinator closed');
  }
  if (origin) {
    await origin.close();
    say('  origin closed');
  }
}

function describe(error: unknown): string {
  if (error instanceof ConfigError || error instanceof DatabaseError) return error.message;
  if ((error as { code?: unknown }).code === 'EADDRINUSE') {
    return `${(error as Error).message}: another program uses that port (set P2PCDN_PORT / P2PCDN_ORIGIN_PORT)`;
  }
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`p2pcdn: ${describe(error)}`);
    process.exit(1);
  },
);
