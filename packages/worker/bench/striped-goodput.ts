/**
 * Striped-pull goodput (issue 4), all arms in one run: four sources capped at 2, 4, 6 and 8 Mbit/s
 * (each its own process, its own PeerEngine upload cap, as a relay runs) and a receiver process
 * that pulls 1 MiB VOD segments back to back, a few in flight, over real node-datachannel on
 * loopback, checking every byte.
 *
 * - `striped`: the pattern from probes, recomputed every interval (the engine's defaults);
 * - `equal`: the same sources, the pattern fixed at equal shares (no recalculation);
 * - `single`: the best source alone (8 Mbit/s), striping off;
 * - `drop`: striped, and the 8 Mbit/s source drops to a quarter of its rate mid-stream
 *   (`PeerEngine.setUploadCap`): how long until its pattern share is within ±30 % of its new fair
 *   share, and the goodput afterwards against the new sum;
 * - `small-burst`: as `striped`, with the sources' upload burst cut to two blocks (a diagnosis:
 *   the default burst, a quarter second of upload, inflates an idle source's measured rate).
 *
 *   node scripts/in-netns.mjs node --import tsx packages/worker/bench/striped-goodput.ts [--seconds 25] [--in-flight 4] [--out FILE]
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
  type StripingSettings,
} from '@p2pcdn/core';
import { nodeClock } from '../src/node-clock.ts';
import { nodePeerFactory } from '../src/webrtc.ts';

const STREAM = 'stripe-bench';
const SEGMENT_BYTES = 1024 * 1024;
/** Source caps, Mbit/s. */
const CAPS_MBPS = [2, 4, 6, 8] as const;
const DROPPED = 's8';
const bytesPerSecond = (mbps: number): number => (mbps * 1e6) / 8;

type ArmName = 'striped' | 'equal' | 'single' | 'drop' | 'small-burst';
/**
 * The `small-burst` arm's upload burst at the sources: two blocks (with their headers), instead
 * of the engine's default quarter second of upload. A diagnosis, not a goal: see BENCHMARKS.md.
 */
const SMALL_BURST_BYTES = 33_000;
interface Sample {
  /** ms since the receiver's first request. */
  t: number;
  pattern: string;
  epoch: number;
  /** Pattern share and last-interval rate (bytes/s) per source. */
  shares: Record<string, number>;
  rates: Record<string, number>;
}
interface ReceiverReport {
  bytes: number;
  ms: number;
  mismatches: number;
  /** Completion time (ms since the first request) of each segment, in completion order. */
  completions: number[];
  samples: Sample[];
  /** Bytes each source sent in striped blocks (receiver's count). */
  bySource: Record<string, number>;
  stalls: number;
  outOfSequence: number;
  /** When the drop arm's cap change took effect, ms since the first request. */
  droppedAt?: number;
}
type Ipc =
  | { kind: 'signal'; from: string; to: string; signal: PeerSignal }
  | { kind: 'ready'; name: string }
  | { kind: 'go' }
  /** To a source: change its upload cap now. Answered with `capped`. */
  | { kind: 'cap'; bytesPerSecond: number }
  | { kind: 'capped'; name: string; at: number }
  /** To the receiver: the drop happened at wall time `at`. */
  | { kind: 'dropped'; at: number }
  | { kind: 'progress'; t: number }
  | { kind: 'done'; report: ReceiverReport }
  | { kind: 'stop' }
  | { kind: 'failed'; message: string };

function send(msg: Ipc): void {
  process.send?.(msg);
}

/** Wall-clock ms comparable across processes. */
const wallNow = (): number => performance.timeOrigin + performance.now();

const segmentRef = (i: number): SegmentRef => ({
  streamId: STREAM,
  url: `http://127.0.0.1/stripe-bench/seg-${i}.m4s`,
});

/** Deterministic content per segment, so the receiver checks bytes without a copy of a store. */
function segmentBytes(i: number): Uint8Array {
  const words = new Uint32Array(SEGMENT_BYTES / 4);
  let x = ((i + 1) * 2654435761) >>> 0 || 1;
  for (let j = 0; j < words.length; j++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    words[j] = x;
  }
  return new Uint8Array(words.buffer);
}

function strip(settings: ArmName): Partial<StripingSettings> | false {
  if (settings === 'single') return false;
  if (settings === 'equal') return { recalculate: false, firstPattern: 'equal' };
  return {};
}

/** A source: holds every segment, serves the receiver within its own upload cap. */
async function runSource(name: string, cap: number, segments: number, burst?: number): Promise<void> {
  const factory = nodePeerFactory({ bindAddress: '127.0.0.1' });
  const store = new SegmentStore({ capacityBytes: (segments + 1) * SEGMENT_BYTES });
  for (let i = 0; i < segments; i++) store.put(segmentRef(i), segmentBytes(i));
  const engine = new PeerEngine({
    nodeId: name,
    clock: nodeClock,
    store,
    uploadBytesPerSecond: cap,
    ...(burst !== undefined && { uploadBurstBytes: burst }),
  });
  const peer = factory({ initiator: false, iceServers: [] });
  process.on('message', (msg: Ipc) => {
    if (msg.kind === 'signal') peer.signal(msg.signal);
    else if (msg.kind === 'cap') {
      engine.setUploadCap(msg.bytesPerSecond);
      send({ kind: 'capped', name, at: wallNow() });
    } else if (msg.kind === 'stop') {
      engine.destroy();
      peer.destroy();
      setTimeout(() => process.exit(0), 50);
    }
  });
  peer.on('signal', (signal) =>
    send({ kind: 'signal', from: name, to: 'receiver', signal: signal as PeerSignal }),
  );
  peer.on('error', (error) => send({ kind: 'failed', message: `${name}: ${error.message}` }));
  await new Promise<void>((resolve) => peer.on('connect', () => resolve()));
  engine.addLink(STREAM, simplePeerLink(peer, 'receiver'), 'child');
  send({ kind: 'ready', name });
}

/** The receiver: pulls segments back to back for `seconds`, `inFlight` at a time. */
async function runReceiver(
  arm: ArmName,
  sources: string[],
  seconds: number,
  segments: number,
  inFlight: number,
): Promise<void> {
  const factory = nodePeerFactory({ bindAddress: '127.0.0.1' });
  const store = new SegmentStore({ capacityBytes: (inFlight + 4) * SEGMENT_BYTES });
  let stalls = 0;
  const engine = new PeerEngine({
    nodeId: 'receiver',
    clock: nodeClock,
    store,
    striping: strip(arm),
    // As with a signed manifest: the pull numbers exactly each segment's blocks.
    segmentSize: () => SEGMENT_BYTES,
    log: (format: unknown) => {
      if (typeof format === 'string' && format.includes('stalled on')) stalls++;
    },
  });
  const peers = new Map<string, SimplePeerLike>();
  let t0 = 0;
  let droppedAt: number | undefined;
  let go: () => void = () => {};
  const started = new Promise<void>((resolve) => (go = resolve));
  process.on('message', (msg: Ipc) => {
    if (msg.kind === 'signal') peers.get(msg.from)?.signal(msg.signal);
    else if (msg.kind === 'go') go();
    else if (msg.kind === 'dropped') droppedAt = msg.at - t0;
    else if (msg.kind === 'stop') {
      engine.destroy();
      for (const peer of peers.values()) peer.destroy();
      setTimeout(() => process.exit(0), 50);
    }
  });
  await Promise.all(
    sources.map(
      (name) =>
        new Promise<void>((resolve, reject) => {
          const peer = factory({ initiator: true, iceServers: [] });
          peers.set(name, peer);
          peer.on('signal', (signal) =>
            send({ kind: 'signal', from: 'receiver', to: name, signal: signal as PeerSignal }),
          );
          peer.on('error', reject);
          peer.on('connect', () => {
            engine.addLink(STREAM, simplePeerLink(peer, name), 'parent');
            resolve();
          });
        }),
    ),
  );
  send({ kind: 'ready', name: 'receiver' });
  await started;

  t0 = wallNow();
  const deadline = t0 + seconds * 1000;
  const samples: Sample[] = [];
  const sampler = setInterval(() => {
    const [stats] = engine.stripeStats();
    if (!stats) return;
    const shares: Record<string, number> = {};
    const rates: Record<string, number> = {};
    for (const s of stats.sources) {
      shares[s.peerId] = s.share;
      rates[s.peerId] = s.bytesPerSecond;
    }
    samples.push({
      t: Math.round(wallNow() - t0),
      pattern: stats.pattern,
      epoch: stats.epoch,
      shares,
      rates,
    });
  }, 50);
  const progress = setInterval(() => send({ kind: 'progress', t: wallNow() - t0 }), 250);
  let next = 0;
  let bytes = 0;
  let mismatches = 0;
  const completions: number[] = [];
  const pull = async (): Promise<void> => {
    while (wallNow() < deadline && next < segments) {
      const i = next++;
      const got = await engine.fetchFromPeers(segmentRef(i), { timeoutMs: 30_000 });
      if (!got) throw new Error(`segment ${i} did not arrive`);
      completions.push(wallNow() - t0);
      bytes += got.data.byteLength;
      const view = Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength);
      if (!view.equals(segmentBytes(i))) mismatches++;
      store.delete(segmentRef(i));
    }
  };
  await Promise.all(Array.from({ length: inFlight }, pull));
  const ms = wallNow() - t0;
  clearInterval(sampler);
  clearInterval(progress);
  const [stats] = engine.stripeStats();
  const bySource: Record<string, number> = {};
  let outOfSequence = 0;
  for (const s of stats?.sources ?? []) {
    bySource[s.peerId] = s.bytes;
    outOfSequence += s.outOfSequence;
  }
  send({
    kind: 'done',
    report: {
      bytes,
      ms,
      mismatches,
      completions,
      samples,
      bySource,
      stalls,
      outOfSequence,
      ...(droppedAt !== undefined && { droppedAt }),
    },
  });
}

/** One arm's figures. */
export interface ArmResult {
  arm: ArmName;
  sources: string[];
  /** Sum of the sources' caps, Mbit/s (after the drop, for `drop`). */
  capMbps: number;
  segments: number;
  mismatches: number;
  ms: number;
  /** Goodput over the whole pull (first request to last segment), Mbit/s. */
  mbps: number;
  /** Goodput after the first 3 s (probe and first recalculations), Mbit/s. */
  steadyMbps: number;
  bySourceMB: Record<string, number>;
  stalls: number;
  outOfSequence: number;
  /** The last pattern and its shares. */
  pattern: string;
  epochs: number;
  shares: Record<string, number>;
  loadAverage: string;
  attempts: number;
  /** Each new pattern: [ms since the first request, pattern, shares as letters' percentages]. */
  patternTrace: [number, string, Record<string, number>][];
  /** Goodput per whole second of the run, Mbit/s. */
  perSecondMbps: number[];
  drop?: {
    atMs: number;
    /** From the drop until the dropped source's share is within ±30 % of its new fair share. */
    reflectedAfterMs: number | null;
    /** Of the samples after that, the fraction still within the band. */
    stayedInBand: number;
    newFairShare: number;
    /** Goodput from the drop to the end, and from 2 s after it, Mbit/s. */
    afterMbps: number;
    afterSettledMbps: number;
    /** Goodput before the drop (from 3 s on), Mbit/s. */
    beforeMbps: number;
    /** Pattern shares of the dropped source over time after the drop: [ms after drop, share]. */
    shareTrace: [number, number][];
  };
}

/** Goodput of the segments completed in (from, to], Mbit/s. */
function goodput(completions: readonly number[], from: number, to: number): number {
  const n = completions.filter((t) => t > from && t <= to).length;
  return (n * SEGMENT_BYTES * 8) / 1000 / Math.max(1, to - from);
}

async function runArm(arm: ArmName, seconds: number, dropAtS: number, burst?: string): Promise<ArmResult> {
  const file = fileURLToPath(import.meta.url);
  const names = arm === 'single' ? [DROPPED] : CAPS_MBPS.map((m) => `s${m}`);
  const capOf = (name: string): number => Number(name.slice(1));
  // Enough segments for the whole run at the caps' sum, and some.
  const segments =
    Math.ceil((((names.reduce((a, n) => a + capOf(n), 0) * 1e6) / 8) * seconds) / SEGMENT_BYTES) + 8;
  const children = new Map<string, ChildProcess>();
  for (const name of names) {
    const args = [
      '--role',
      'source',
      '--name',
      name,
      '--cap',
      String(bytesPerSecond(capOf(name))),
      '--segments',
      String(segments),
      ...(burst === undefined ? [] : ['--burst', burst]),
    ];
    children.set(name, fork(file, args, { execArgv: ['--import', 'tsx'] }));
  }
  const receiverArgs = [
    '--role',
    'receiver',
    '--arm',
    arm,
    '--sources',
    names.join(','),
    '--seconds',
    String(seconds),
    '--segments',
    String(segments),
    '--in-flight',
    values['in-flight'],
  ];
  children.set('receiver', fork(file, receiverArgs, { execArgv: ['--import', 'tsx'] }));
  const loadBefore = loadavg()[0]?.toFixed(1);
  try {
    const report = await new Promise<ReceiverReport>((resolve, reject) => {
      const ready = new Set<string>();
      let dropSent = false;
      const timer = setTimeout(() => reject(new Error('arm timed out')), (seconds + 60) * 1000);
      for (const [name, child] of children) {
        child.on('message', (msg: Ipc) => {
          if (msg.kind === 'signal') children.get(msg.to)?.send(msg);
          else if (msg.kind === 'ready') {
            ready.add(msg.name);
            if (ready.size === children.size) {
              // Hellos and pings settle first.
              setTimeout(() => children.get('receiver')?.send({ kind: 'go' }), 500);
            }
          } else if (msg.kind === 'progress' && arm === 'drop' && !dropSent && msg.t >= dropAtS * 1000) {
            dropSent = true;
            children.get(DROPPED)?.send({ kind: 'cap', bytesPerSecond: bytesPerSecond(capOf(DROPPED) / 4) });
          } else if (msg.kind === 'capped') children.get('receiver')?.send({ kind: 'dropped', at: msg.at });
          else if (msg.kind === 'done') {
            clearTimeout(timer);
            resolve(msg.report);
          } else if (msg.kind === 'failed') reject(new Error(msg.message));
        });
        child.on('exit', (code) => {
          if (code !== 0 && code !== null) reject(new Error(`${name} exited with ${code}`));
        });
      }
    });
    const exited = [...children.values()].map((c) => new Promise((r) => c.once('exit', r)));
    for (const child of children.values()) child.send({ kind: 'stop' });
    await Promise.race([Promise.all(exited), new Promise((r) => setTimeout(r, 5000))]);
    return summarize(arm, names, report, loadBefore);
  } finally {
    for (const child of children.values()) if (child.exitCode === null) child.kill('SIGKILL');
  }
}

function summarize(
  arm: ArmName,
  names: string[],
  r: ReceiverReport,
  loadBefore: string | undefined,
): ArmResult {
  const capOf = (name: string): number => Number(name.slice(1));
  const sum = names.reduce((a, n) => a + capOf(n), 0);
  const last = r.samples.at(-1);
  const result: ArmResult = {
    arm,
    sources: names,
    capMbps: sum,
    segments: r.completions.length,
    mismatches: r.mismatches,
    ms: Math.round(r.ms),
    mbps: (r.bytes * 8) / 1000 / r.ms,
    steadyMbps: goodput(r.completions, 3000, r.ms),
    bySourceMB: Object.fromEntries(Object.entries(r.bySource).map(([k, v]) => [k, v / 1e6])),
    stalls: r.stalls,
    outOfSequence: r.outOfSequence,
    pattern: last?.pattern ?? '',
    epochs: last?.epoch ?? 0,
    shares: last?.shares ?? {},
    loadAverage: `${loadBefore} → ${loadavg()[0]?.toFixed(1)}`,
    attempts: 1,
    patternTrace: r.samples
      .filter((s, i) => i === 0 || s.epoch !== r.samples[i - 1]?.epoch)
      .map((s) => [
        s.t,
        s.pattern,
        Object.fromEntries(Object.entries(s.shares).map(([k, v]) => [k, Math.round(v * 100)])),
      ]),
    perSecondMbps: Array.from({ length: Math.floor(r.ms / 1000) }, (_, i) =>
      Number(goodput(r.completions, i * 1000, (i + 1) * 1000).toFixed(1)),
    ),
  };
  if (arm === 'drop' && r.droppedAt !== undefined) {
    const at = r.droppedAt;
    const newSum = sum - (capOf(DROPPED) * 3) / 4;
    const fair = capOf(DROPPED) / 4 / newSum;
    const inBand = (s: Sample): boolean => Math.abs((s.shares[DROPPED] ?? 0) - fair) <= 0.3 * fair;
    const after = r.samples.filter((s) => s.t >= at);
    const first = after.find(inBand);
    const later = first ? after.filter((s) => s.t >= first.t) : [];
    result.capMbps = newSum;
    result.drop = {
      atMs: Math.round(at),
      reflectedAfterMs: first ? first.t - Math.round(at) : null,
      stayedInBand: later.length > 0 ? later.filter(inBand).length / later.length : 0,
      newFairShare: fair,
      afterMbps: goodput(r.completions, at, r.ms),
      afterSettledMbps: goodput(r.completions, at + 2000, r.ms),
      beforeMbps: goodput(r.completions, 3000, at),
      shareTrace: after
        .filter((s, i) => i === 0 || s.shares[DROPPED] !== after[i - 1]?.shares[DROPPED])
        .map((s) => [s.t - Math.round(at), s.shares[DROPPED] ?? 0]),
    };
  }
  return result;
}

export interface StripedGoodputResult {
  seconds: number;
  /** Segments the receiver had in flight at once. */
  inFlight: number;
  arms: ArmResult[];
  /** Striped goodput ÷ the 20 Mbit/s sum, ÷ the equal split, ÷ the best single source. */
  ratioToSum: number;
  ratioToEqual: number;
  ratioToSingle: number;
  loadAverage: string;
}

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    name: { type: 'string' },
    cap: { type: 'string' },
    arm: { type: 'string' },
    sources: { type: 'string' },
    segments: { type: 'string' },
    seconds: { type: 'string', default: '25' },
    /** When the drop arm's source drops, s after the first request. */
    'drop-at': { type: 'string', default: '12' },
    /** Arms to run (comma-separated); all by default. */
    arms: { type: 'string', default: 'striped,equal,single,drop,small-burst' },
    out: { type: 'string' },
    /** Segments the receiver has in flight at once. */
    'in-flight': { type: 'string', default: '4' },
    /** The sources' upload burst, bytes (default: the engine's, a quarter second of upload). */
    burst: { type: 'string' },
  },
  strict: true,
});

if (values.role) {
  const fail = (error: unknown): void => {
    send({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  };
  if (values.role === 'source') {
    const burst = values.burst === undefined ? undefined : Number(values.burst);
    runSource(values.name ?? 'source', Number(values.cap), Number(values.segments), burst).catch(fail);
  } else {
    runReceiver(
      values.arm as ArmName,
      (values.sources ?? '').split(','),
      Number(values.seconds),
      Number(values.segments),
      Number(values['in-flight']),
    ).catch(fail);
  }
} else {
  const seconds = Number(values.seconds);
  const dropAt = Number(values['drop-at']);
  const loadBefore = loadavg()[0]?.toFixed(1);
  const arms: ArmResult[] = [];
  for (const arm of values.arms.split(',') as ArmName[]) {
    console.log(
      `${arm}: ${arm === 'single' ? DROPPED + ' alone' : CAPS_MBPS.join(', ') + ' Mbit/s'}, ${seconds} s…`,
    );
    // libdatachannel rarely fails a negotiation: the arm is run again.
    for (let attempt = 1; ; attempt++) {
      try {
        const burst = arm === 'small-burst' ? String(SMALL_BURST_BYTES) : values.burst;
        const result = await runArm(arm, seconds, dropAt, burst);
        result.attempts = attempt;
        arms.push(result);
        console.log(
          `  ${result.mbps.toFixed(2)} Mbit/s (from 3 s: ${result.steadyMbps.toFixed(2)}) of ${result.capMbps} Mbit/s; ` +
            `${result.segments} segments, ${result.mismatches} corrupted; pattern ${result.pattern} (epoch ${result.epochs}); ` +
            `stalls ${result.stalls}; load ${result.loadAverage}`,
        );
        if (result.drop) {
          const d = result.drop;
          console.log(
            `  drop at ${(d.atMs / 1000).toFixed(1)} s: pattern within ±30 % of ${(d.newFairShare * 100).toFixed(1)} % after ${d.reflectedAfterMs ?? '–'} ms ` +
              `(stayed ${(d.stayedInBand * 100).toFixed(0)} %); goodput before ${d.beforeMbps.toFixed(2)}, after ${d.afterMbps.toFixed(2)}, ` +
              `from 2 s after ${d.afterSettledMbps.toFixed(2)} Mbit/s; share trace ${JSON.stringify(d.shareTrace)}`,
          );
        }
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
        console.log(
          `  attempt ${attempt} failed (${error instanceof Error ? error.message : String(error)}); retrying`,
        );
      }
    }
  }
  const find = (name: ArmName): ArmResult | undefined => arms.find((a) => a.arm === name);
  const striped = find('striped');
  const result: StripedGoodputResult = {
    seconds,
    inFlight: Number(values['in-flight']),
    arms,
    ratioToSum: striped ? striped.mbps / striped.capMbps : Number.NaN,
    ratioToEqual: striped && find('equal') ? striped.mbps / (find('equal')?.mbps ?? 1) : Number.NaN,
    ratioToSingle: striped && find('single') ? striped.mbps / (find('single')?.mbps ?? 1) : Number.NaN,
    loadAverage: `${loadBefore} → ${loadavg()[0]?.toFixed(1)}`,
  };
  console.log(
    `striped ÷ sum ${result.ratioToSum.toFixed(2)} (goal ≥ 0.9), ÷ equal ${result.ratioToEqual.toFixed(2)} (≥ 2), ÷ single ${result.ratioToSingle.toFixed(2)} (≥ 2.2)`,
  );
  if (values.out) writeFileSync(values.out, JSON.stringify(result, null, 2));
  process.exit(arms.every((a) => a.mismatches === 0) ? 0 : 1);
}
