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
import { measureRawPipe } from './raw-pipe.ts';

const STREAM = 'bench';
const SEGMENT_BYTES = 1024 * 1024;
const IN_FLIGHT = 4;

type Role = 'source' | 'relay' | 'sink';
type Ipc =
  | { kind: 'signal'; from: Role; to: Role; signal: PeerSignal }
  | { kind: 'ready'; role: Role }
  | { kind: 'go' }
  | { kind: 'done'; bytes: number; ms: number; mismatches: number }
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
async function runRole(role: Role, segments: number): Promise<void> {
  const factory = nodePeerFactory({ bindAddress: '127.0.0.1' });
  const store = new SegmentStore({ capacityBytes: (segments + 8) * SEGMENT_BYTES });
  const engine = new PeerEngine({ nodeId: role, clock: nodeClock, store });
  if (role === 'source') for (let i = 0; i < segments; i++) store.put(segmentRef(i), segmentBytes(i));

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
  process.on('message', (msg: Ipc) => {
    if (msg.kind === 'signal') peers.get(msg.from)?.signal(msg.signal);
    else if (msg.kind === 'go') go();
  });

  const links: Promise<void>[] = [];
  if (role === 'relay') links.push(connect('source', true, 'parent'), connect('sink', false, 'child'));
  if (role === 'source') links.push(connect('relay', false, 'child'));
  if (role === 'sink') links.push(connect('relay', true, 'parent'));
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
      const want = segmentBytes(i);
      if (got.data.byteLength !== want.byteLength || got.data.some((b, k) => b !== want[k])) mismatches++;
      store.delete(segmentRef(i));
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, pull));
  send({ kind: 'done', bytes, ms: performance.now() - t0, mismatches });
}

export interface RelayForwardingResult {
  raw: { bytes: number; ms: number; mbps: number };
  relay: { bytes: number; ms: number; mbps: number; mismatches: number };
  ratio: number;
  note?: string;
}

async function measureRelay(segments: number): Promise<RelayForwardingResult['relay']> {
  const file = fileURLToPath(import.meta.url);
  const children = new Map<Role, ChildProcess>();
  for (const role of ['source', 'relay', 'sink'] as const) {
    children.set(
      role,
      fork(file, ['--role', role, '--segments', String(segments)], { execArgv: ['--import', 'tsx'] }),
    );
  }
  try {
    return await new Promise((resolve, reject) => {
      const ready = new Set<Role>();
      for (const [role, child] of children) {
        child.on('message', (msg: Ipc) => {
          if (msg.kind === 'signal') children.get(msg.to)?.send(msg);
          else if (msg.kind === 'ready') {
            ready.add(msg.role);
            // The sink starts once the relay also reached its parent: then it settles its hellos.
            if (ready.size === children.size)
              setTimeout(() => children.get('sink')?.send({ kind: 'go' }), 500);
          } else if (msg.kind === 'done') {
            resolve({
              bytes: msg.bytes,
              ms: msg.ms,
              mbps: (msg.bytes * 8) / 1000 / msg.ms,
              mismatches: msg.mismatches,
            });
          } else if (msg.kind === 'failed') reject(new Error(`${role}: ${msg.message}`));
        });
        child.on('exit', (code) => {
          if (code !== 0 && code !== null) reject(new Error(`${role} exited with ${code}`));
        });
      }
    });
  } finally {
    for (const child of children.values()) child.kill('SIGKILL');
  }
}

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    segments: { type: 'string' },
    mb: { type: 'string', default: '256' },
    out: { type: 'string' },
  },
  strict: true,
});

if (values.role) {
  const role = values.role as Role;
  runRole(role, Number(values.segments)).catch((error: unknown) => {
    send({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  });
} else {
  const mb = Number(values.mb);
  if (!Number.isInteger(mb) || mb < 8) {
    console.error('usage: relay-forwarding.ts [--mb N≥8] [--out FILE]');
    process.exit(2);
  }
  console.log(`raw node-datachannel pipe, ${mb} MiB…`);
  const raw = await measureRawPipe(mb * SEGMENT_BYTES);
  console.log(`  ${raw.mbps.toFixed(0)} Mbit/s`);
  console.log(`source → relay → sink, ${mb} × 1 MiB segments…`);
  // libdatachannel rarely fails a negotiation ("remote candidate without ICE transport"); the
  // agent retries connections in the product, the benchmark retries the whole chain.
  let relay: RelayForwardingResult['relay'] | undefined;
  for (let attempt = 1; !relay; attempt++) {
    try {
      relay = await measureRelay(mb);
    } catch (error) {
      if (attempt >= 3) throw error;
      console.log(
        `  attempt ${attempt} failed (${error instanceof Error ? error.message : String(error)}); retrying`,
      );
    }
  }
  console.log(`  ${relay.mbps.toFixed(0)} Mbit/s, ${relay.mismatches} corrupted segments`);
  const result: RelayForwardingResult = { raw, relay, ratio: relay.mbps / raw.mbps };
  console.log(`ratio relay ÷ raw = ${result.ratio.toFixed(2)}`);
  if (values.out) writeFileSync(values.out, JSON.stringify(result, null, 2));
  process.exit(relay.mismatches === 0 ? 0 : 1);
}
