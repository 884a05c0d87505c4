/**
 * Baseline for the relay-forwarding benchmark: the fastest a plain node-datachannel DataChannel
 * moves bytes between two processes on this machine, with the same frame size and backpressure
 * rule the relay uses. `measureRawPipe()` forks a receiver, connects, streams `totalBytes`, and
 * reports goodput measured at the receiver.
 *
 * Run alone: `node --import tsx packages/worker/bench/raw-pipe.ts` (inside scripts/in-netns.mjs).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import nodeDataChannel, {
  type DataChannel,
  type DescriptionType,
  type PeerConnection,
  type RtcConfig,
} from 'node-datachannel';

const FRAME_BYTES = 64 * 1024;
const HIGH_WATER = 1024 * 1024;

type IpcMessage =
  | { kind: 'sdp'; sdp: string; type: string; hop?: Hop }
  | { kind: 'candidate'; candidate: string; mid: string; hop?: Hop }
  | { kind: 'done'; bytes: number; ms: number; cpuMs: number }
  /** The forwarder's CPU from its first received byte to its last sent one. */
  | { kind: 'forwarded'; cpuMs: number };

/** Which hop of the raw chain a forwarder's signal belongs to (1: from the sender, 2: to the receiver). */
type Hop = 1 | 2;

/** CPU time (user + system) this process used since `since`, in ms. */
export function cpuMsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

function rtcConfig(): RtcConfig {
  return { iceServers: [], bindAddress: process.env.P2PCDN_BIND_ADDRESS ?? '127.0.0.1' };
}

/**
 * Incoming channels must be held here: node-datachannel closes a DataChannel when its JS object is
 * garbage-collected (the native wrapper's destructor calls close(), which resets the SCTP stream),
 * and nothing else references the one passed to onDataChannel. Unheld, the transfer dies at the
 * first full GC, typically after ~32 MiB of received Buffers.
 */
const openChannels = new Set<DataChannel>();

/**
 * Applies the other side's description and candidates; candidates that arrive before the
 * description are held (libdatachannel refuses a candidate without an ICE transport).
 */
function remoteSide(pc: PeerConnection): (msg: IpcMessage) => void {
  let described = false;
  const held: Array<{ candidate: string; mid: string }> = [];
  return (msg) => {
    if (msg.kind === 'sdp') {
      pc.setRemoteDescription(msg.sdp, msg.type as DescriptionType);
      described = true;
      for (const c of held.splice(0)) pc.addRemoteCandidate(c.candidate, c.mid);
    } else if (msg.kind === 'candidate') {
      if (described) pc.addRemoteCandidate(msg.candidate, msg.mid);
      else held.push({ candidate: msg.candidate, mid: msg.mid });
    }
  };
}

/** Receiver side: answers, counts bytes, reports the time from first to last byte. */
function runReceiver(totalBytes: number): void {
  const pc = new nodeDataChannel.PeerConnection('receiver', rtcConfig());
  pc.onLocalDescription((sdp, type) => process.send?.({ kind: 'sdp', sdp, type } satisfies IpcMessage));
  pc.onLocalCandidate((candidate, mid) =>
    process.send?.({ kind: 'candidate', candidate, mid } satisfies IpcMessage),
  );
  pc.onDataChannel((dc) => {
    openChannels.add(dc);
    dc.onClosed(() => openChannels.delete(dc));
    let received = 0;
    let firstAt = 0;
    let cpuAtFirst = process.cpuUsage();
    dc.onMessage((msg) => {
      if (typeof msg === 'string') return;
      if (firstAt === 0) {
        firstAt = performance.now();
        cpuAtFirst = process.cpuUsage();
      }
      received += msg.byteLength;
      if (received >= totalBytes) {
        process.send?.({
          kind: 'done',
          bytes: received,
          ms: performance.now() - firstAt,
          cpuMs: cpuMsSince(cpuAtFirst),
        } satisfies IpcMessage);
        setTimeout(() => {
          pc.close();
          process.exit(0);
        }, 100);
      }
    });
  });
  const remote = remoteSide(pc);
  process.on('message', (raw: IpcMessage) => remote(raw));
}

export interface PipeResult {
  bytes: number;
  ms: number;
  /** Goodput in Mbit/s. */
  mbps: number;
  /** CPU ms (user + system) each process used during the transfer. */
  cpuMs: { sender: number; receiver: number };
}

/**
 * The sending end of a raw pipe: one channel, `totalBytes` in 64 KiB frames kept below the
 * high-water mark. `stop()` closes it and returns the CPU it used since the channel opened.
 */
function startSender(
  totalBytes: number,
  signal: (msg: Extract<IpcMessage, { kind: 'sdp' | 'candidate' }>) => void,
): { pc: PeerConnection; stop: () => number } {
  const pc = new nodeDataChannel.PeerConnection('sender', rtcConfig());
  pc.onLocalDescription((sdp, type) => signal({ kind: 'sdp', sdp, type }));
  pc.onLocalCandidate((candidate, mid) => signal({ kind: 'candidate', candidate, mid }));
  const dc = pc.createDataChannel('bench');
  const frame = new Uint8Array(FRAME_BYTES).fill(7);
  let sent = 0;
  let cpuAtOpen = process.cpuUsage();
  const pump = (): void => {
    // Runs from a timer and from a native callback: never send on a channel that is not (or no
    // longer) open; an exception thrown inside onBufferedAmountLow aborts the process.
    if (!dc.isOpen()) return;
    while (sent < totalBytes && dc.bufferedAmount() < HIGH_WATER) {
      dc.sendMessageBinary(frame);
      sent += frame.byteLength;
    }
  };
  dc.setBufferedAmountLowThreshold(HIGH_WATER / 2);
  dc.onBufferedAmountLow(pump);
  dc.onOpen(() => {
    cpuAtOpen = process.cpuUsage();
    pump();
  });
  // onBufferedAmountLow can be missed when the queue drains between two checks: poll as well.
  const poll = setInterval(pump, 5);
  return {
    pc,
    stop: () => {
      clearInterval(poll);
      const cpuMs = cpuMsSince(cpuAtOpen);
      pc.close();
      return cpuMs;
    },
  };
}

/** Sender side: forks the receiver, sends `totalBytes` in 64 KiB frames with backpressure. */
export function measureRawPipe(totalBytes = 256 * 1024 * 1024): Promise<PipeResult> {
  const child = fork(fileURLToPath(import.meta.url), ['receiver', String(totalBytes)], {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
  });
  const sender = startSender(totalBytes, (msg) => child.send(msg));
  const { pc } = sender;
  return new Promise((resolve, reject) => {
    const remote = remoteSide(pc);
    child.on('message', (raw: IpcMessage) => {
      if (raw.kind !== 'done') remote(raw);
      else {
        const senderCpu = sender.stop();
        resolve({
          bytes: raw.bytes,
          ms: raw.ms,
          mbps: (raw.bytes * 8) / 1000 / raw.ms,
          cpuMs: { sender: senderCpu, receiver: raw.cpuMs },
        });
      }
    });
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`raw-pipe receiver exited with ${code}`));
    });
  });
}

/**
 * The middle of the raw chain: every message from the sender goes on to the receiver as it
 * arrives, in node-datachannel alone (no engine, no framing, no store); what the next hop cannot
 * take yet waits in a queue drained on `bufferedamountlow`. The cost of forwarding itself: two
 * DataChannel endpoints in one process.
 */
function runForwarder(totalBytes: number): void {
  const signalOut = (hop: Hop) => (pc: PeerConnection) => {
    pc.onLocalDescription((sdp, type) =>
      process.send?.({ kind: 'sdp', sdp, type, hop } satisfies IpcMessage),
    );
    pc.onLocalCandidate((candidate, mid) =>
      process.send?.({ kind: 'candidate', candidate, mid, hop } satisfies IpcMessage),
    );
    return pc;
  };
  const upstream = signalOut(1)(new nodeDataChannel.PeerConnection('forwarder-in', rtcConfig()));
  const downstream = signalOut(2)(new nodeDataChannel.PeerConnection('forwarder-out', rtcConfig()));
  const out = downstream.createDataChannel('bench');
  const queue: Buffer[] = [];
  const asBuffer = (msg: Buffer | ArrayBuffer): Buffer => (Buffer.isBuffer(msg) ? msg : Buffer.from(msg));
  let forwarded = 0;
  let cpuAtFirst: NodeJS.CpuUsage | undefined;
  const drain = (): void => {
    if (!out.isOpen()) return;
    while (queue.length > 0 && out.bufferedAmount() < HIGH_WATER) {
      const msg = queue.shift()!;
      out.sendMessageBinary(msg);
      forwarded += msg.byteLength;
    }
    if (forwarded >= totalBytes && cpuAtFirst) {
      process.send?.({ kind: 'forwarded', cpuMs: cpuMsSince(cpuAtFirst) } satisfies IpcMessage);
      cpuAtFirst = undefined;
    }
  };
  out.setBufferedAmountLowThreshold(HIGH_WATER / 2);
  out.onBufferedAmountLow(drain);
  out.onOpen(drain);
  const poll = setInterval(drain, 5);
  poll.unref();
  upstream.onDataChannel((dc) => {
    openChannels.add(dc);
    dc.onMessage((msg) => {
      if (typeof msg === 'string') return;
      cpuAtFirst ??= process.cpuUsage();
      queue.push(asBuffer(msg));
      if (queue.length === 1) drain();
    });
  });
  const fromSender = remoteSide(upstream);
  const fromReceiver = remoteSide(downstream);
  process.on('message', (raw: IpcMessage) => {
    if (raw.kind === 'sdp' || raw.kind === 'candidate') (raw.hop === 2 ? fromReceiver : fromSender)(raw);
  });
}

export interface ChainResult extends PipeResult {
  cpuMs: { sender: number; forwarder: number; receiver: number };
}

/**
 * The raw pipe through a middle process: sender → forwarder → receiver, node-datachannel only, the
 * same three processes and four endpoints a relay chain has. What a relay could reach here if its
 * own code cost nothing.
 */
export function measureRawChain(totalBytes = 256 * 1024 * 1024): Promise<ChainResult> {
  const script = fileURLToPath(import.meta.url);
  const options = { execArgv: ['--import', 'tsx'], stdio: 'inherit' as const };
  const forwarder = fork(script, ['forwarder', String(totalBytes)], options);
  const receiver = fork(script, ['receiver', String(totalBytes)], options);
  const sender = startSender(totalBytes, (msg) => forwarder.send({ ...msg, hop: 1 }));
  const { pc } = sender;
  const fromForwarder = remoteSide(pc);
  return new Promise((resolve, reject) => {
    let senderCpu: number | undefined;
    let forwarderCpu: number | undefined;
    let done: Extract<IpcMessage, { kind: 'done' }> | undefined;
    const finish = (): void => {
      if (!done || forwarderCpu === undefined || senderCpu === undefined) return;
      forwarder.kill();
      resolve({
        bytes: done.bytes,
        ms: done.ms,
        mbps: (done.bytes * 8) / 1000 / done.ms,
        cpuMs: { sender: senderCpu, forwarder: forwarderCpu, receiver: done.cpuMs },
      });
    };
    forwarder.on('message', (raw: IpcMessage) => {
      if (raw.kind === 'forwarded') {
        forwarderCpu = raw.cpuMs;
        finish();
      } else if (raw.kind === 'sdp' || raw.kind === 'candidate') {
        if (raw.hop === 2) receiver.send({ ...raw, hop: undefined });
        else fromForwarder(raw);
      }
    });
    receiver.on('message', (raw: IpcMessage) => {
      if (raw.kind === 'done') {
        done = raw;
        senderCpu = sender.stop();
        finish();
      } else forwarder.send({ ...raw, hop: 2 } as IpcMessage);
    });
    receiver.on('exit', (code) => {
      if (code !== 0) reject(new Error(`raw-chain receiver exited with ${code}`));
    });
  });
}

const role = process.argv[2];
if (role === 'receiver') {
  runReceiver(Number(process.argv[3]));
} else if (role === 'forwarder') {
  runForwarder(Number(process.argv[3]));
} else if (import.meta.url === `file://${process.argv[1]}`) {
  void measureRawPipe().then((result) => {
    console.log(JSON.stringify(result));
    process.exit(0);
  });
}
