import type { StreamInfo } from '@p2pcdn/core';
import { startCoordinator, type CoordinatorOptions, type RunningCoordinator } from '@p2pcdn/signaling';
import {
  startOrigin,
  type DemoOrigin,
  type OriginStreamName,
} from '../../../../apps/signaling/src/origin/index.ts';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SegmentRecord, SummaryRecord, ViewerRecord } from '../../src/viewer/report.ts';
import { CliProcess } from './cli-process.ts';

/**
 * Bitrate streams are registered with. The clip is about 1 Mbit/s; budgeting 4 lets a relay with
 * one child's worth of upload (the planner gives floor(upload / bitrate) children) still send
 * segments about four times faster than real time, so tests do not hinge on timing.
 */
export const TEST_BITRATE_KBPS = 4000;

/** What a headless viewer process reported. */
export interface ViewerReport {
  segments: SegmentRecord[];
  summary: SummaryRecord;
}

/**
 * Coordinator and origin in-process; relays and viewers as `p2pcdn-relay` processes, one per
 * node as in production, all on loopback.
 */
export class TestNetwork {
  private readonly processes: CliProcess[] = [];

  private constructor(
    readonly coordinator: RunningCoordinator,
    readonly origin: DemoOrigin,
    private readonly dataDir: string,
  ) {}

  /** `options` override the test defaults (e.g. the planner's settings). */
  static async start(options: CoordinatorOptions = {}): Promise<TestNetwork> {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'p2pcdn-worker-'));
    // The origin signs manifests naming the ids the tests register its streams as.
    const origin = await startOrigin({
      host: '127.0.0.1',
      port: 0,
      streamIds: { live: 'test-live', vod: 'test-vod' },
    });
    const coordinator = await startCoordinator({
      host: '127.0.0.1',
      port: 0,
      dataDir,
      token: 'worker-test-token',
      iceServers: [],
      heartbeatMs: 1_000,
      playerDist: path.join(dataDir, 'none'),
      adminDist: path.join(dataDir, 'none'),
      ...options,
    });
    return new TestNetwork(coordinator, origin, dataDir);
  }

  /**
   * Registers one of the demo origin's streams as `id`, with the origin's publisher key and
   * signed manifest (so every node verifies what it receives; the origin's manifests name
   * `test-live` and `test-vod`) unless `signed` is false.
   */
  register(
    id: string,
    kind: OriginStreamName,
    bitrateKbps = TEST_BITRATE_KBPS,
    signed = id === `test-${kind}`,
  ): Promise<StreamInfo> {
    return this.coordinator.registrar.register({
      id,
      url: this.origin.streams[kind],
      bitrateKbps,
      ...(signed && { publicKey: this.origin.publicKey, manifestUrl: this.origin.manifests[kind] }),
    });
  }

  /** Starts a relay process with `uploadKbps` and waits until it registered. */
  async relay(name: string, uploadKbps: number, extra: string[] = []): Promise<CliProcess> {
    return (await this.relayWithId(name, uploadKbps, extra)).process;
  }

  /** {@link relay}, with the node id the coordinator gave it. */
  async relayWithId(
    name: string,
    uploadKbps: number,
    extra: string[] = [],
  ): Promise<{ process: CliProcess; id: string }> {
    const relay = this.spawn([
      ...extra,
      '--name',
      name,
      '--upload-mbps',
      String(uploadKbps / 1000),
      '--cache-mb',
      '64',
    ]);
    const line = await relay.waitFor(/registered with/);
    const id = /\brelay (\S+) registered/.exec(line)?.[1];
    if (!id) throw new Error(`no node id in "${line}"`);
    return { process: relay, id };
  }

  /** Runs a headless viewer process until it has `segments` media segments; returns its report. */
  async watch(streamId: string, segments: number, name?: string): Promise<ViewerReport> {
    const reportFile = path.join(this.dataDir, `viewer-${streamId}-${this.processes.length}.jsonl`);
    const viewer = this.spawn([
      '--viewer',
      '--stream',
      streamId,
      '--segments',
      String(segments),
      '--report',
      reportFile,
      '--upload-mbps',
      '0.1',
      ...(name === undefined ? [] : ['--name', name]),
    ]);
    const code = await viewer.exited;
    if (code !== 0) throw new Error(`viewer exited with ${code}:\n${viewer.lines.join('\n')}`);
    const records = (await readFile(reportFile, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as ViewerRecord);
    const summary = records.find((r): r is SummaryRecord => r.type === 'summary');
    if (!summary) throw new Error('the viewer wrote no summary');
    return { segments: records.filter((r): r is SegmentRecord => r.type === 'segment'), summary };
  }

  /**
   * How many copies of what anyone fetched the origin sent for `kind` so far: media segment bytes
   * divided by one copy of every distinct segment requested (the origin's own counters).
   */
  originCopies(kind: OriginStreamName): number {
    const { segmentBytes, oneCopyBytes } = this.origin.stats().streams[kind];
    return oneCopyBytes === 0 ? 0 : segmentBytes / oneCopyBytes;
  }

  /** SHA-256 of `url` fetched straight from the origin. */
  async originSha256(url: string): Promise<string> {
    const res = await fetch(url);
    return createHash('sha256')
      .update(new Uint8Array(await res.arrayBuffer()))
      .digest('hex');
  }

  async close(): Promise<void> {
    await Promise.all(this.processes.splice(0).map((p) => p.kill()));
    await this.coordinator.close();
    await this.origin.close();
    await rm(this.dataDir, { recursive: true, force: true });
  }

  private spawn(args: string[]): CliProcess {
    const child = new CliProcess(['--signal', this.coordinator.url, '--bind-address', '127.0.0.1', ...args]);
    this.processes.push(child);
    return child;
  }
}
