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
  | { kind: 'sdp'; sdp: string; type: string }
  | { kind: 'candidate'; candidate: string; mid: string }
  | { kind: 'done'; bytes: number; ms: number; cpuMs: number };

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

/** Sender side: forks the receiver, sends `totalBytes` in 64 KiB frames with backpressure. */
export function measureRawPipe(totalBytes = 256 * 1024 * 1024): Promise<PipeResult> {
  const child = fork(fileURLToPath(import.meta.url), ['receiver', String(totalBytes)], {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
  });
  const pc = new nodeDataChannel.PeerConnection('sender', rtcConfig());
  pc.onLocalDescription((sdp, type) => child.send({ kind: 'sdp', sdp, type } satisfies IpcMessage));
  pc.onLocalCandidate((candidate, mid) =>
    child.send({ kind: 'candidate', candidate, mid } satisfies IpcMessage),
  );
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
  return new Promise((resolve, reject) => {
    const remote = remoteSide(pc);
    child.on('message', (raw: IpcMessage) => {
      if (raw.kind !== 'done') remote(raw);
      else {
        clearInterval(poll);
        const sender = cpuMsSince(cpuAtOpen);
        pc.close();
        resolve({
          bytes: raw.bytes,
          ms: raw.ms,
          mbps: (raw.bytes * 8) / 1000 / raw.ms,
          cpuMs: { sender, receiver: raw.cpuMs },
        });
      }
    });
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`raw-pipe receiver exited with ${code}`));
    });
  });
}

const role = process.argv[2];
if (role === 'receiver') {
  runReceiver(Number(process.argv[3]));
} else if (import.meta.url === `file://${process.argv[1]}`) {
  void measureRawPipe().then((result) => {
    console.log(JSON.stringify(result));
    process.exit(0);
  });
}
