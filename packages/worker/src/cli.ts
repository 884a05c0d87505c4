import { socketSignaling, type StreamAssignment } from '@p2pcdn/core';
import createDebug from 'debug';
import { createWriteStream, type WriteStream } from 'node:fs';
import { hostname } from 'node:os';
import { WorkerError } from './errors.ts';
import { parseFlags, USAGE, type Command, type CommonOptions } from './flags.ts';
import { nodeClock } from './node-clock.ts';
import { Relay } from './relay.ts';
import { connectSignaling, type PeerSocket } from './signaling-connect.ts';
import { HeadlessViewer, type ViewerOptions } from './viewer.ts';
import type { ViewerRecord } from './viewer/report.ts';
import { poisonedPeerFactory, Poisoner } from './poison.ts';
import { nodePeerFactory, warmUpWebRtc } from './webrtc.ts';

const PROGRAM = 'p2pcdn-relay';

/** Concise status lines for the person running the relay (details go to `DEBUG=p2pcdn:*`). */
function say(message: string): void {
  console.error(`${PROGRAM}: ${message}`);
}

async function main(argv: readonly string[]): Promise<number> {
  let command: Command;
  try {
    command = parseFlags(argv);
  } catch (error) {
    if (!(error instanceof WorkerError)) throw error;
    say(error.message);
    console.error(USAGE);
    return 2;
  }
  if (command.mode === 'help') {
    console.log(USAGE);
    return 0;
  }

  let socket: PeerSocket;
  try {
    socket = await connectSignaling(command.signalUrl);
  } catch (error) {
    say(error instanceof Error ? error.message : String(error));
    return 1;
  }
  const signaling = socketSignaling(socket, {
    clock: nodeClock,
    log: createDebug('p2pcdn:worker:signaling'),
  });
  signaling.onDisconnect((reason) => say(`lost the coordinator (${reason}); reconnecting, links stay up`));
  signaling.onReconnect(() => say('coordinator reachable again'));

  const poisoner =
    command.mode === 'relay' && command.poison !== undefined ? new Poisoner(command.poison) : undefined;
  if (poisoner) {
    say('!'.repeat(78));
    say(
      `!! TEST MODE: --poison ${poisoner.fraction}: this relay CORRUPTS ${Math.round(poisoner.fraction * 100)}% of the data it sends.`,
    );
    say('!! Receivers will reject it and report this relay; the coordinator will evict it. Never run this');
    say('!! against a network with real viewers.');
    say('!'.repeat(78));
  }
  const peerFactory = nodePeerFactory({ bindAddress: command.bindAddress });
  // While the coordinator registers us: the first child then connects as fast as later ones.
  void warmUpWebRtc({ bindAddress: command.bindAddress });
  const common = {
    ...nodeOptions(command),
    signaling,
    peerFactory: poisoner ? poisonedPeerFactory(peerFactory, poisoner) : peerFactory,
    clock: nodeClock,
  };
  try {
    return command.mode === 'relay'
      ? await runRelay(new Relay(common), command, poisoner)
      : await runViewer(command, common);
  } finally {
    signaling.dispose();
    socket.close();
  }
}

function nodeOptions(options: CommonOptions) {
  return {
    cacheBytes: options.cacheBytes,
    uploadKbps: options.uploadKbps,
    region: options.region,
    name: options.name ?? hostname().slice(0, 64),
  };
}

function describeSources(assignment: StreamAssignment): string {
  const sources = [...(assignment.origin ? ['the origin'] : []), ...assignment.parents];
  return sources.length > 0 ? sources.join(' + ') : 'nowhere yet';
}

async function runRelay(relay: Relay, command: CommonOptions, poisoner?: Poisoner): Promise<number> {
  const welcome = await relay.start();
  say(
    `relay ${welcome.nodeId} registered with ${command.signalUrl} ` +
      `(region ${command.region}, upload ${command.uploadKbps / 1000} Mbit/s, cache ${Math.round(command.cacheBytes / 2 ** 20)} MB)`,
  );
  relay.stack.agent.on('assignment', (a) => say(`serving ${a.streamId} from ${describeSources(a)}`));
  relay.stack.agent.on('release', (streamId) => say(`no longer serving ${streamId}`));
  if (poisoner) {
    const tell = (): void => {
      const { blocksSent, blocksCorrupted } = poisoner.stats;
      say(`poison: ${blocksCorrupted} of ${blocksSent} blocks sent were corrupted`);
    };
    setInterval(tell, 2_000).unref();
    process.once('exit', tell);
  }
  await untilSignal(async () => {
    say('leaving: the coordinator moves our children first (Ctrl-C again to force)');
    await relay.stop();
    say('left cleanly');
  });
  return 0;
}

async function runViewer(
  command: Extract<Command, { mode: 'viewer' }>,
  common: Omit<ViewerOptions, 'streamId' | 'report'>,
): Promise<number> {
  const out: WriteStream | NodeJS.WriteStream = command.report
    ? createWriteStream(command.report, { flags: 'a' })
    : process.stdout;
  const report = (record: ViewerRecord): void => {
    out.write(`${JSON.stringify(record)}\n`);
  };
  const viewer = new HeadlessViewer({
    ...common,
    streamId: command.streamId,
    report,
    ...(command.segments === undefined ? {} : { maxSegments: command.segments }),
  });
  const stream = await viewer.start();
  say(`viewer ${viewer.stack.agent.nodeId ?? '?'} watching ${stream.id} (${stream.url})`);
  const summary = await Promise.race([viewer.done, untilSignal(() => viewer.stop().then(() => undefined))]);
  const final = summary ?? (await viewer.done);
  say(
    `received ${final.segments} segments: ${final.p2pBytes} bytes from peers, ${final.httpBytes} over HTTP (${final.reason}); ` +
      `${final.verification}, ${final.rejectedSegments} segments from peers rejected by verification`,
  );
  if (out !== process.stdout) await new Promise<void>((resolve) => (out as WriteStream).end(resolve));
  return 0;
}

/** Resolves after `onFirst` has run for the first SIGINT/SIGTERM; a second signal exits at once. */
function untilSignal(onFirst: () => Promise<void>): Promise<undefined> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    const handler = (signal: NodeJS.Signals): void => {
      if (stopping) {
        say(`${signal} again: exiting without waiting`);
        process.exit(1);
      }
      stopping = true;
      onFirst().then(() => resolve(undefined), reject);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
