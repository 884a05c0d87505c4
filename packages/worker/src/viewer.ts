import {
  createCancelSource,
  segmentKey,
  type SegmentRef,
  type StreamId,
  type StreamInfo,
} from '@p2pcdn/core';
import createDebug from 'debug';
import { PlaylistFollower } from './hls/playlist-follower.ts';
import type { PlaylistSegment } from './hls/playlist.ts';
import { NodeStack, type NodeStackOptions } from './node-stack.ts';
import { PlaybackModel } from './viewer/playback-model.ts';
import { sha256Hex, type SegmentRecord, type SummaryRecord, type ViewerRecord } from './viewer/report.ts';
import { viewerSegmentLoader, type SegmentSource } from './viewer/segment-source.ts';

const log = createDebug('p2pcdn:worker:viewer');

/** Longest wait at startup for assigned parents to connect before loading from HTTP. */
const STARTUP_PARENT_WAIT_MS = 3_000;
/** Seconds of buffer never spent waiting for parents. */
const RESERVE_SEC = 2;

export type ViewerOptions = Omit<NodeStackOptions, 'role'> & {
  streamId: StreamId;
  /** Receives one record per segment, then a summary. */
  report: (record: ViewerRecord) => void;
  /** Live: start this many segments behind the newest. Default 3. */
  liveBackSegments?: number;
  /** Most media buffered ahead before the viewer waits, seconds. Default 10. */
  maxBufferSec?: number;
  /** Stop after this many media segments (default: at the end of a VOD, or never for live). */
  maxSegments?: number;
  /** Replaces the default P2P-first source (tests). */
  source?: SegmentSource;
};

/**
 * A headless viewer: the same agent and engine as a browser tab, following the playlist like a
 * player (live: from the live edge minus a few segments; VOD: from the start) and loading each
 * segment at real-time pace, P2P first with an HTTP fallback. It verifies nothing; it reports
 * what it received (key, bytes, source, SHA-256) so tests and benchmarks can.
 */
export class HeadlessViewer {
  readonly stack: NodeStack;
  /** Resolves with the summary once the viewer has stopped. */
  readonly done: Promise<SummaryRecord>;
  private readonly playback: PlaybackModel;
  private readonly cancel = createCancelSource();
  private readonly queue: PlaylistSegment[] = [];
  private readonly initsLoaded = new Set<string>();
  private follower: PlaylistFollower | undefined;
  private wake: (() => void) | undefined;
  private ended = false;
  private stopReason: SummaryRecord['reason'] | undefined;
  private finish!: (summary: SummaryRecord) => void;
  private totals = { segments: 0, p2p: 0, http: 0, cache: 0 };

  constructor(private readonly options: ViewerOptions) {
    this.playback = new PlaybackModel(options.clock);
    this.stack = new NodeStack({ ...options, role: 'viewer', hostStats: () => this.figures() });
    this.done = new Promise((resolve) => (this.finish = resolve));
  }

  /** Registers, joins the stream and starts playing it; resolves with the stream once playing. */
  async start(): Promise<StreamInfo> {
    const { agent } = this.stack;
    await this.stack.start();
    const stream = await agent.join(this.options.streamId);
    this.follower = new PlaylistFollower({
      streamId: stream.id,
      url: stream.url,
      budgetKbps: stream.bitrateKbps,
      start: { from: 'live-edge', backSegments: this.options.liveBackSegments ?? 3 },
      clock: this.options.clock,
      load: (url) => this.stack.loadPlaylist(stream, url),
      onSegment: (segment) => this.enqueue(segment),
      onEnd: () => {
        this.ended = true;
        this.wake?.();
      },
      log,
    });
    await this.follower.start();
    void this.play(stream);
    return stream;
  }

  /** Stops playing, leaves the stream and resolves {@link HeadlessViewer.done}. */
  async stop(): Promise<SummaryRecord> {
    this.halt('stopped');
    return this.done;
  }

  /** Player figures for heartbeats. */
  figures(): { bufferSec: number; stalls: number; startupMs?: number } {
    const { startupMs } = this.playback;
    const base = { bufferSec: this.playback.bufferAheadSec(), stalls: this.playback.stalls };
    return startupMs === undefined ? base : { ...base, startupMs: Math.round(startupMs) };
  }

  private enqueue(segment: PlaylistSegment): void {
    this.queue.push(segment);
    this.wake?.();
  }

  private async next(): Promise<PlaylistSegment | undefined> {
    for (;;) {
      if (this.stopReason) return undefined;
      const segment = this.queue.shift();
      if (segment) return segment;
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  private async play(stream: StreamInfo): Promise<void> {
    const source = this.options.source ?? this.sourceFor(stream);
    try {
      for (let segment = await this.next(); segment; segment = await this.next()) {
        await this.playback.waitForRoom(this.options.maxBufferSec ?? 10);
        if (this.stopReason) break;
        if (segment.init && !this.initsLoaded.has(segmentKey(segment.init))) {
          await this.load(source, segment.init, 'init');
          this.initsLoaded.add(segmentKey(segment.init));
        }
        await this.load(source, segment.ref, segment.sequence);
        this.playback.append(segment.durationSec);
        if (this.options.maxSegments !== undefined && this.totals.segments >= this.options.maxSegments) {
          this.halt('segments');
        }
      }
      this.halt(this.stopReason ?? 'ended');
    } catch (error) {
      if (!this.stopReason) log('playback failed: %O', error);
      this.halt(this.stopReason ?? 'stopped');
    }
  }

  /**
   * Core's segment loader, after giving assigned parents that are still connecting a chance: at
   * startup up to {@link STARTUP_PARENT_WAIT_MS}, later whatever the buffer affords.
   */
  private sourceFor(stream: StreamInfo): SegmentSource {
    const loader = viewerSegmentLoader({
      clock: this.options.clock,
      engine: () => this.stack.engine,
      store: this.stack.store,
      streamUrl: stream.url,
      ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
      log: createDebug('p2pcdn:worker:loader'),
    });
    return {
      load: async (ref, opts) => {
        if (!this.stack.engine?.hasParents(ref.streamId)) {
          const affordableMs = (opts.bufferAheadSec - RESERVE_SEC) * 1000;
          await this.waitForParents(
            ref.streamId,
            opts.bufferAheadSec > 0 ? affordableMs : STARTUP_PARENT_WAIT_MS,
          );
        }
        return loader.load(ref, opts);
      },
    };
  }

  /** Waits (up to `timeoutMs`) for an assigned parent to connect; at once if none is assigned. */
  private waitForParents(streamId: StreamId, timeoutMs: number): Promise<void> {
    const { agent } = this.stack;
    const pending = (): boolean =>
      !this.stopReason &&
      !this.stack.engine?.hasParents(streamId) &&
      agent.assignments().some((a) => a.streamId === streamId && a.parents.length > 0);
    if (timeoutMs <= 0 || !pending()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.options.clock.clearTimeout(timer);
        offLink();
        offAssignment();
        offCancel();
        resolve();
      };
      const check = (): void => {
        if (!pending()) done();
      };
      const timer = this.options.clock.setTimeout(done, timeoutMs);
      const offLink = agent.on('link', check);
      const offAssignment = agent.on('assignment', check);
      const offCancel = this.cancel.token.onCancel(done);
    });
  }

  private async load(source: SegmentSource, ref: SegmentRef, sequence: number | 'init'): Promise<void> {
    const started = this.options.clock.now();
    const loaded = await source.load(ref, {
      bufferAheadSec: this.playback.bufferAheadSec(),
      cancel: this.cancel.token,
    });
    const record: SegmentRecord = {
      type: 'segment',
      streamId: ref.streamId,
      key: segmentKey(ref),
      sequence,
      bytes: loaded.data.byteLength,
      source: loaded.source,
      ...(loaded.peerId === undefined ? {} : { peerId: loaded.peerId }),
      sha256: sha256Hex(loaded.data),
      elapsedMs: Math.round(this.options.clock.now() - started),
      at: Date.now(),
    };
    if (sequence !== 'init') this.totals.segments++;
    this.totals[loaded.source === 'p2p' ? 'p2p' : loaded.source === 'http' ? 'http' : 'cache'] +=
      record.bytes;
    log('%s %s: %d bytes via %s', sequence, ref.url, record.bytes, record.source);
    this.options.report(record);
  }

  private halt(reason: SummaryRecord['reason']): void {
    if (this.stopReason) return;
    this.stopReason = reason;
    this.follower?.stop();
    this.cancel.cancel();
    this.wake?.();
    // Read before leaving: leaving releases the stream, and the verifier forgets it.
    const verification = this.stack.integrity.verifier.state(this.options.streamId);
    void this.stack
      .stop()
      .catch((error: unknown) => log('leaving failed: %O', error))
      .then(() => {
        const summary: SummaryRecord = {
          type: 'summary',
          streamId: this.options.streamId,
          nodeId: this.stack.agent.nodeId,
          segments: this.totals.segments,
          p2pBytes: this.totals.p2p,
          httpBytes: this.totals.http,
          cacheBytes: this.totals.cache,
          uploadBytes: this.stack.stats().uploadBytes,
          startupMs: this.playback.startupMs === undefined ? undefined : Math.round(this.playback.startupMs),
          stalls: this.playback.stalls,
          reason,
          verification,
          rejectedSegments: this.stack.integrity.rejections().reduce((sum, r) => sum + r.rejected, 0),
        };
        this.options.report(summary);
        this.finish(summary);
      });
  }
}
