/**
 * Relay forwarding throughput, Node → relay → Node, against a raw node-datachannel pipe measured
 * in the same run (see raw-pipe.ts). Three processes run the relay's own code path: a source
 * engine holding the segments, a relay engine (the worker's PeerEngine, simple-peer over
 * node-datachannel exactly as `p2pcdn-relay` builds it) that has nothing cached and fetches each
 * segment through from its parent while serving it to its child, and a sink that pulls segments
 * with a few requests in flight and checks every byte.
 *
 *   node scripts/in-netns.mjs node --import tsx packages/worker/bench/relay-forwarding.ts [--mb 256] [--out FILE]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  PeerEngine,
  SegmentStore,
  simplePeerLink,
  type PeerSignal,
  type SegmentRef,
  type SimplePeerLike,
} from '@p2pcdn/core';
import { nodeClock } from '../src/node-clock.ts';
import { nodePeerFactory } from '../src/webrtc.ts';
import { cpuMsSince, measureRawChain, measureRawPipe, type PipeResult } from './raw-pipe.ts';

const STREAM = 'bench';
const SEGMENT_BYTES = 1024 * 1024;
const IN_FLIGHT = 4;

type Role = 'source' | 'relay' | 'sink';
type Ipc =
  | { kind: 'signal'; from: Role; to: Role; signal: PeerSignal }
  | { kind: 'ready'; role: Role }
  | { kind: 'go' }
  | { kind: 'done'; bytes: number; ms: number; mismatches: number }
  /** Asks a process for the CPU it used since `go`; answered with `cpu`. */
  | { kind: 'report' }
  | { kind: 'cpu'; role: Role; cpuMs: number }
  /** Ends a process cleanly (so `--cpu-prof` can write its profile). */
  | { kind: 'stop' }
  | { kind: 'failed'; message: string };

function segmentRef(i: number): SegmentRef {
  return { streamId: STREAM, url: `http://127.0.0.1/bench/seg-${i}.m4s` };
}

/** Deterministic content, so the sink can check bytes without a copy of the source's store. */
function segmentBytes(i: number): Uint8Array {
  const data = new Uint8Array(SEGMENT_BYTES);
  let x = (i + 1) * 2654435761;
  for (let j = 0; j < data.length; j += 4) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    data[j] = x & 0xff;
    data[j + 1] = (x >>> 8) & 0xff;
    data[j + 2] = (x >>> 16) & 0xff;
    data[j + 3] = (x >>> 24) & 0xff;
  }
  return data;
}

function send(msg: Ipc): void {
  process.send?.(msg);
}

/** One process of the chain: connects to its neighbours (signals through the parent process). */
async function runRole(role: Role, segments: number, direct: boolean): Promise<void> {
  const factory = nodePeerFactory({ bindAddress: '127.0.0.1' });
  const store = new SegmentStore({ capacityBytes: (segments + 8) * SEGMENT_BYTES });
  const engine = new PeerEngine({ nodeId: role, clock: nodeClock, store });
  if (role === 'source') for (let i = 0; i < segments; i++) store.put(segmentRef(i), segmentBytes(i));
  // The sink's expected bytes are made before the clock starts: generating them costs more CPU
  // per MB than receiving them, and the raw pipe's receiver pays nothing of the kind.
  const expected = role === 'sink' ? Array.from({ length: segments }, (_, i) => segmentBytes(i)) : [];

  const peers = new Map<Role, SimplePeerLike>();
  const connect = (other: Role, initiator: boolean, as: 'parent' | 'child'): Promise<void> =>
    new Promise((resolve, reject) => {
      const peer = factory({ initiator, iceServers: [] });
      peers.set(other, peer);
      peer.on('signal', (signal) =>
        send({ kind: 'signal', from: role, to: other, signal: signal as PeerSignal }),
      );
      peer.on('error', reject);
      peer.on('connect', () => {
        engine.addLink(STREAM, simplePeerLink(peer, other), as);
        resolve();
      });
    });
  let go: () => void = () => {};
  const started = new Promise<void>((resolve) => (go = resolve));
  let cpuAtGo = process.cpuUsage();
  process.on('message', (msg: Ipc) => {
    if (msg.kind === 'signal') peers.get(msg.from)?.signal(msg.signal);
    else if (msg.kind === 'go') {
      cpuAtGo = process.cpuUsage();
      go();
    } else if (msg.kind === 'report') send({ kind: 'cpu', role, cpuMs: cpuMsSince(cpuAtGo) });
    else if (msg.kind === 'stop') {
      engine.destroy();
      for (const peer of peers.values()) peer.destroy();
      setTimeout(() => process.exit(0), 50);
    }
  });

  const links: Promise<void>[] = [];
  if (role === 'relay') links.push(connect('source', true, 'parent'), connect('sink', false, 'child'));
  const below: Role = direct ? 'sink' : 'relay';
  const above: Role = direct ? 'source' : 'relay';
  if (role === 'source') links.push(connect(below, false, 'child'));
  if (role === 'sink') links.push(connect(above, true, 'parent'));
  await Promise.all(links);
  send({ kind: 'ready', role });
  if (role !== 'sink') return; // serve until killed

  await started; // every link of the chain is up
  let next = 0;
  let bytes = 0;
  let mismatches = 0;
  const t0 = performance.now();
  const pull = async (): Promise<void> => {
    while (next < segments) {
      const i = next++;
      const got = await engine.fetchFromPeers(segmentRef(i), { timeoutMs: 30_000 });
      if (!got) throw new Error(`segment ${i} did not arrive`);
      bytes += got.data.byteLength;
      const want = expected[i] ?? segmentBytes(i);
      expected[i] = new Uint8Array(0); // let it go
      // memcmp of every byte (a per-byte closure would cost the sink more CPU than receiving).
      const view = Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength);
      if (!view.equals(want)) mismatches++;
      store.delete(segmentRef(i));
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, pull));
  send({ kind: 'done', bytes, ms: performance.now() - t0, mismatches });
}

/** CPU cost of one arm: CPU ms per process, and CPU seconds per MB (10^6 bytes) moved. */
export interface CpuFigures {
  cpuMs: Record<string, number>;
  /** CPU seconds per MB of goodput, per process. */
  cpuSecondsPerMB: Record<string, number>;
  /** All processes' CPU time ÷ wall time: 2.0 means both cores busy for the whole transfer. */
  coresBusy: number;
}

export interface RelayForwardingResult {
  raw: PipeResult & CpuFigures;
  relay: { bytes: number; ms: number; mbps: number; mismatches: number } & CpuFigures;
  /** 1-minute load average before and after the run (the machine is shared). */
  loadAverage?: string;
  /** Source → sink through the engine without a relay (with `--direct`). */
  direct?: RelayForwardingResult['relay'];
  ratio: number;
  /**
   * The raw pipe through a forwarding middle process (node-datachannel only): the same three
   * processes and four endpoints as the relay chain, i.e. what a relay could reach here if its own
   * code cost nothing.
   */
  rawChain?: PipeResult & CpuFigures;
  /** relay ÷ rawChain: the share of the machine's forwarding capacity the worker's code keeps. */
  ratioToChain?: number;
  note?: string;
}

function cpuFigures(bytes: number, ms: number, cpuMs: CpuFigures['cpuMs']): CpuFigures {
  const perMB: CpuFigures['cpuSecondsPerMB'] = {};
  let total = 0;
  for (const [name, used] of Object.entries(cpuMs)) {
    perMB[name] = used / 1000 / (bytes / 1e6);
    total += used;
  }
  return { cpuMs, cpuSecondsPerMB: perMB, coresBusy: total / ms };
}

/**
 * Runs source → relay → sink, or source → sink when `direct` (one engine hop, no relay: isolates
 * the engine's cost per hop from forwarding).
 */
async function measureRelay(
  segments: number,
  profileDir?: string,
  direct = false,
): Promise<RelayForwardingResult['relay']> {
  const file = fileURLToPath(import.meta.url);
  const children = new Map<Role, ChildProcess>();
  const roles: Role[] = direct ? ['source', 'sink'] : ['source', 'relay', 'sink'];
  for (const role of roles) {
    const profile = profileDir ? ['--cpu-prof', '--cpu-prof-dir', `${profileDir}/${role}`] : [];
    const args = ['--role', role, '--segments', String(segments), ...(direct ? ['--direct'] : [])];
    children.set(
      role,
      fork(file, args, {
        execArgv: ['--import', 'tsx', ...profile],
      }),
    );
  }
  const exited = new Map<Role, Promise<void>>();
  for (const [role, child] of children) {
    exited.set(role, new Promise((resolve) => child.once('exit', () => resolve())));
  }
  try {
    const done = await new Promise<Extract<Ipc, { kind: 'done' }>>((resolve, reject) => {
      const ready = new Set<Role>();
      for (const [role, child] of children) {
        child.on('message', (msg: Ipc) => {
          if (msg.kind === 'signal') children.get(msg.to)?.send(msg);
          else if (msg.kind === 'ready') {
            ready.add(msg.role);
            // The sink starts once the relay also reached its parent: then it settles its hellos.
            if (ready.size === children.size) {
              setTimeout(() => {
                for (const c of children.values()) c.send({ kind: 'go' });
              }, 500);
            }
          } else if (msg.kind === 'done') resolve(msg);
          else if (msg.kind === 'failed') reject(new Error(`${role}: ${msg.message}`));
        });
        child.on('exit', (code) => {
          if (code !== 0 && code !== null) reject(new Error(`${role} exited with ${code}`));
        });
      }
    });
    const cpuMs = await new Promise<Record<string, number>>((resolve) => {
      const got: Record<string, number> = {};
      for (const child of children.values()) {
        child.on('message', (msg: Ipc) => {
          if (msg.kind !== 'cpu') return;
          got[msg.role] = msg.cpuMs;
          if (roles.every((r) => got[r] !== undefined)) resolve(got);
        });
        child.send({ kind: 'report' });
      }
    });
    for (const child of children.values()) child.send({ kind: 'stop' });
    await Promise.race([Promise.all(exited.values()), new Promise((r) => setTimeout(r, 5000))]);
    return {
      bytes: done.bytes,
      ms: done.ms,
      mbps: (done.bytes * 8) / 1000 / done.ms,
      mismatches: done.mismatches,
      ...cpuFigures(done.bytes, done.ms, cpuMs),
    };
  } finally {
    for (const child of children.values()) if (child.exitCode === null) child.kill('SIGKILL');
  }
}

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    segments: { type: 'string' },
    mb: { type: 'string', default: '256' },
    out: { type: 'string' },
    /** Writes `node --cpu-prof` profiles of each process into DIR/<role>/. */
    prof: { type: 'string' },
    /** Skips the raw pipe (when profiling the relay alone). */
    'relay-only': { type: 'boolean', default: false },
    /** Also measures source → sink through the engine without a relay (one hop). */
    direct: { type: 'boolean', default: false },
  },
  strict: true,
});

if (values.role) {
  const role = values.role as Role;
  runRole(role, Number(values.segments), values.direct).catch((error: unknown) => {
    send({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  });
} else {
  const mb = Number(values.mb);
  if (!Number.isInteger(mb) || mb < 8) {
    console.error('usage: relay-forwarding.ts [--mb N≥8] [--out FILE] [--prof DIR] [--relay-only]');
    process.exit(2);
  }
  const perMB = (f: CpuFigures): string =>
    Object.entries(f.cpuSecondsPerMB)
      .map(([name, s]) => `${name} ${(s * 1000).toFixed(1)} ms/MB`)
      .join(', ') + `; ${f.coresBusy.toFixed(2)} cores busy`;
  const loadBefore = loadavg()[0]?.toFixed(1);
  let raw: RelayForwardingResult['raw'] | undefined;
  let chain: RelayForwardingResult['rawChain'] | undefined;
  if (!values['relay-only']) {
    console.log(`raw node-datachannel pipe, ${mb} MiB…`);
    const pipe = await measureRawPipe(mb * SEGMENT_BYTES);
    const figures: RelayForwardingResult['raw'] = {
      ...pipe,
      ...cpuFigures(pipe.bytes, pipe.ms, pipe.cpuMs),
      cpuMs: pipe.cpuMs,
    };
    raw = figures;
    console.log(`  ${figures.mbps.toFixed(0)} Mbit/s (CPU: ${perMB(figures)})`);
    console.log(`raw node-datachannel chain (sender → forwarder → receiver), ${mb} MiB…`);
    const chainPipe = await measureRawChain(mb * SEGMENT_BYTES);
    chain = {
      ...chainPipe,
      ...cpuFigures(chainPipe.bytes, chainPipe.ms, chainPipe.cpuMs),
      cpuMs: chainPipe.cpuMs,
    };
    console.log(`  ${chain.mbps.toFixed(0)} Mbit/s (CPU: ${perMB(chain)})`);
  }
  // libdatachannel rarely fails a negotiation ("remote candidate without ICE transport"); the
  // agent retries connections in the product, the benchmark retries the whole chain.
  const withRetries = async (direct: boolean): Promise<RelayForwardingResult['relay']> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await measureRelay(mb, values.prof, direct);
      } catch (error) {
        if (attempt >= 3) throw error;
        console.log(
          `  attempt ${attempt} failed (${error instanceof Error ? error.message : String(error)}); retrying`,
        );
      }
    }
  };
  let direct: RelayForwardingResult['relay'] | undefined;
  if (values.direct) {
    console.log(`source → sink through the engine, no relay, ${mb} × 1 MiB segments…`);
    direct = await withRetries(true);
    console.log(`  ${direct.mbps.toFixed(0)} Mbit/s (CPU: ${perMB(direct)})`);
  }
  console.log(`source → relay → sink, ${mb} × 1 MiB segments…`);
  const relay = await withRetries(false);
  console.log(
    `  ${relay.mbps.toFixed(0)} Mbit/s, ${relay.mismatches} corrupted segments (CPU: ${perMB(relay)})`,
  );
  if (raw) {
    const result: RelayForwardingResult = {
      raw,
      relay,
      ratio: relay.mbps / raw.mbps,
      ...(chain && { rawChain: chain, ratioToChain: relay.mbps / chain.mbps }),
      loadAverage: `${loadBefore} → ${loadavg()[0]?.toFixed(1)}`,
      ...(direct && { direct }),
    };
    console.log(`ratio relay ÷ raw = ${result.ratio.toFixed(2)}`);
    if (result.ratioToChain !== undefined) {
      console.log(
        `ratio relay ÷ raw chain (same processes and endpoints) = ${result.ratioToChain.toFixed(2)}`,
      );
    }
    if (values.out) writeFileSync(values.out, JSON.stringify(result, null, 2));
  }
  process.exit(relay.mismatches === 0 ? 0 : 1);
}
