import type { StreamInfo } from '@p2pcdn/core';
import { startCoordinator, type RunningCoordinator } from '@p2pcdn/signaling';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SegmentRecord, SummaryRecord, ViewerRecord } from '../../src/viewer/report.ts';
import { CliProcess } from './cli-process.ts';
import { startTestOrigin, type TestOrigin } from './test-origin.ts';

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
    readonly origin: TestOrigin,
    private readonly dataDir: string,
  ) {}

  static async start(): Promise<TestNetwork> {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'p2pcdn-worker-'));
    const origin = await startTestOrigin();
    const coordinator = await startCoordinator({
      host: '127.0.0.1',
      port: 0,
      dataDir,
      token: 'worker-test-token',
      iceServers: [],
      heartbeatMs: 1_000,
      playerDist: path.join(dataDir, 'none'),
      adminDist: path.join(dataDir, 'none'),
    });
    return new TestNetwork(coordinator, origin, dataDir);
  }

  /** Registers a stream served by the test origin (`live` or `vod`). */
  register(id: string, kind: 'live' | 'vod'): Promise<StreamInfo> {
    return this.coordinator.registrar.register({
      id,
      url: `${this.origin.url}/${kind}/index.m3u8`,
      bitrateKbps: TEST_BITRATE_KBPS,
    });
  }

  /** Starts a relay process with `uploadKbps` and waits until it registered. */
  async relay(name: string, uploadKbps: number): Promise<CliProcess> {
    const relay = this.spawn([
      '--name',
      name,
      '--upload-mbps',
      String(uploadKbps / 1000),
      '--cache-mb',
      '64',
    ]);
    await relay.waitFor(/registered with/);
    return relay;
  }

  /** Runs a headless viewer process until it has `segments` media segments; returns its report. */
  async watch(streamId: string, segments: number): Promise<ViewerReport> {
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

  /** Requests the origin served for `url`'s path so far. */
  servedRequests(url: string): number {
    return this.origin.served.get(new URL(url).pathname)?.requests ?? 0;
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
