import { socketSignaling } from '@p2pcdn/core';
import { connectSignaling } from '../../src/signaling-connect.ts';
import { nodeClock } from '../../src/node-clock.ts';
import { HeadlessViewer } from '../../src/viewer.ts';
import type { SegmentRecord, SummaryRecord, ViewerRecord } from '../../src/viewer/report.ts';
import { nodePeerFactory } from '../../src/webrtc.ts';

/**
 * A headless viewer in the test process: the worker's viewer mode (same agent, engine and
 * node-datachannel peers as `p2pcdn-relay --viewer`), cheaper to run by the dozen than processes.
 */
export class InProcessViewer {
  private constructor(
    readonly viewer: HeadlessViewer,
    readonly records: ViewerRecord[],
    private readonly close: () => void,
  ) {}

  static async start(
    signalUrl: string,
    streamId: string,
    options: { name?: string; maxSegments?: number; uploadKbps?: number; region?: string } = {},
  ): Promise<InProcessViewer> {
    const socket = await connectSignaling(new URL('/peer', signalUrl).toString());
    const signaling = socketSignaling(socket, { clock: nodeClock });
    const records: ViewerRecord[] = [];
    const viewer = new HeadlessViewer({
      signaling,
      peerFactory: nodePeerFactory({ bindAddress: '127.0.0.1' }),
      clock: nodeClock,
      cacheBytes: 64 * 2 ** 20,
      uploadKbps: options.uploadKbps ?? 0,
      region: options.region ?? 'default',
      name: options.name ?? 'viewer',
      streamId,
      report: (record) => records.push(record),
      ...(options.maxSegments === undefined ? {} : { maxSegments: options.maxSegments }),
    });
    const out = new InProcessViewer(viewer, records, () => {
      signaling.dispose();
      socket.close();
    });
    await viewer.start();
    return out;
  }

  get nodeId(): string {
    const id = this.viewer.stack.agent.nodeId;
    if (id === undefined) throw new Error('viewer not registered');
    return id;
  }

  /** Media segments received so far (init segments left out). */
  media(): SegmentRecord[] {
    return this.records.filter((r): r is SegmentRecord => r.type === 'segment' && r.sequence !== 'init');
  }

  /** Stops (a graceful leave) and closes its socket. */
  async stop(): Promise<SummaryRecord> {
    const summary = await this.viewer.stop();
    this.close();
    return summary;
  }
}

/** Sequences missing between the first and last segment received, and those received twice. */
export function gapsAndDuplicates(records: readonly SegmentRecord[]): { missing: number[]; twice: number[] } {
  const seqs = records.map((r) => r.sequence).filter((s): s is number => typeof s === 'number');
  const seen = new Set<number>();
  const twice: number[] = [];
  for (const s of seqs) {
    if (seen.has(s)) twice.push(s);
    seen.add(s);
  }
  const missing: number[] = [];
  if (seqs.length > 0) {
    const lo = Math.min(...seqs);
    const hi = Math.max(...seqs);
    for (let s = lo; s <= hi; s++) if (!seen.has(s)) missing.push(s);
  }
  return { missing, twice };
}

/** Polls `check` every 100 ms until it returns a value (rejects after `timeoutMs`). */
export async function until<T>(
  what: string,
  check: () => T | undefined | false,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
