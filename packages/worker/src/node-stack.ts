import {
  IntegrityMonitor,
  MAX_MANIFEST_CHARS,
  NodeAgent,
  PeerEngine,
  StreamVerifier,
  SegmentStore,
  type Clock,
  type HelloFields,
  type HostStats,
  type NodeRole,
  type PeerFactory,
  type SignalingChannel,
  type StreamId,
  type StreamInfo,
  type Welcome,
} from '@p2pcdn/core';
import createDebug from 'debug';
import { NodeCryptoProvider } from './crypto-node.ts';
import { WorkerError } from './errors.ts';
import { fetchText } from './origin/http-fetch.ts';
import { guardedOriginFetch } from './origin/origin-fetch.ts';
import { isOnStreamOrigin, OriginGuard } from './origin/origin-guard.ts';
import { SharedOriginFetch } from './origin/shared-fetch.ts';

/** Largest playlist accepted from an origin. */
const MAX_PLAYLIST_BYTES = 2 * 1024 * 1024;

/** What relays and headless viewers have in common. */
export interface NodeStackOptions {
  role: NodeRole;
  signaling: SignalingChannel;
  peerFactory: PeerFactory;
  clock: Clock;
  /** Bytes of segment cache. */
  cacheBytes: number;
  /** Upload the node may spend on children, kbit/s. */
  uploadKbps: number;
  region: string;
  name?: string | undefined;
  /** Deadline per origin segment request. Default 15 s. */
  originTimeoutMs?: number;
  /** Injected for tests; defaults to the global `fetch`. */
  fetch?: typeof fetch;
  /** Player figures for heartbeats (headless viewers). */
  hostStats?: () => HostStats;
}

/**
 * The node agent, segment store and peer engine wired together, with origin access guarded: the
 * engine fetches through to the origin only for streams where the coordinator said
 * `origin: true`, and only URLs on that stream's origin.
 */
export class NodeStack {
  readonly store: SegmentStore;
  readonly agent: NodeAgent;
  readonly guard = new OriginGuard();
  /** Shared origin transfers (the engine's fetch-through and any prefetching join them). */
  readonly origin: SharedOriginFetch;
  /**
   * Checks every segment from a peer against its stream's signed manifest before it is stored
   * or forwarded, and reports peers that send bad data (see {@link IntegrityMonitor}).
   */
  readonly integrity: IntegrityMonitor;
  private currentEngine: PeerEngine | undefined;

  constructor(private readonly options: NodeStackOptions) {
    const log = createDebug(`p2pcdn:worker:${options.role}`);
    this.store = new SegmentStore({
      capacityBytes: options.cacheBytes,
      log: createDebug('p2pcdn:worker:store'),
    });
    this.origin = new SharedOriginFetch(
      guardedOriginFetch(this.guard, {
        timeoutMs: options.originTimeoutMs ?? 15_000,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }),
    );
    this.agent = new NodeAgent({
      signaling: options.signaling,
      engine: (welcome) => this.buildEngine(welcome),
      store: this.store,
      peerFactory: options.peerFactory,
      clock: options.clock,
      // libdatachannel fails a negotiation now and then, quickly; one more try than browsers get.
      connectAttempts: 4,
      connectTimeoutMs: 10_000,
      ...(options.hostStats ? { hostStats: options.hostStats } : {}),
      log: createDebug('p2pcdn:worker:agent'),
    });
    const verifier = new StreamVerifier({
      crypto: new NodeCryptoProvider(),
      clock: options.clock,
      fetchManifest: async (url) =>
        JSON.parse(
          await fetchText(url, {
            timeoutMs: 5_000,
            maxBytes: MAX_MANIFEST_CHARS + 4096,
            ...(options.fetch ? { fetch: options.fetch } : {}),
          }),
        ) as unknown,
      log: createDebug('p2pcdn:worker:integrity'),
    });
    this.integrity = new IntegrityMonitor(verifier, (report) => void this.agent.reportMisbehaviour(report));
    this.integrity.follow(this.agent);
    this.agent.on('origin', (streamId, allowed, stream) => {
      this.guard.set(streamId, allowed, stream);
      log('origin access for %s %s', streamId, allowed ? 'granted' : 'withdrawn');
    });
    this.agent.on('error', (error) => log('coordinator error: %O', error));
  }

  /** The engine of the current node id (undefined before the first Welcome). */
  get engine(): PeerEngine | undefined {
    return this.currentEngine;
  }

  /** Says hello with this node's role, region, name and capacity. */
  start(): Promise<Welcome> {
    const { role, uploadKbps, cacheBytes, region, name } = this.options;
    const hello: HelloFields = {
      role,
      agent: 'node',
      region,
      capacity: { uploadKbps: Math.round(uploadKbps), cacheBytes },
      ...(name === undefined ? {} : { name }),
    };
    return this.agent.start(hello);
  }

  /** Cumulative figures of the current engine (zero before the first Welcome). */
  stats(): ReturnType<PeerEngine['stats']> {
    return this.currentEngine?.stats() ?? { httpBytes: 0, p2pBytes: 0, uploadBytes: 0, links: [] };
  }

  /** Leaves every stream (children move first), closes every link and stops the engine. */
  async stop(): Promise<void> {
    try {
      await this.agent.stop();
    } finally {
      this.currentEngine?.destroy();
    }
  }

  /** Loads a playlist of `stream`, refusing URLs off the stream's origin. */
  loadPlaylist(stream: StreamInfo, url: string): Promise<string> {
    if (!isOnStreamOrigin(stream.url, url)) {
      return Promise.reject(new WorkerError('forbidden', `${url} is not on the origin of ${stream.id}`));
    }
    return fetchText(url, {
      timeoutMs: 5_000,
      maxBytes: MAX_PLAYLIST_BYTES,
      allowRedirect: (next) => isOnStreamOrigin(stream.url, next.href),
      ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
    });
  }

  /** Whether the coordinator currently lets this node fetch `streamId` from the origin. */
  originAllowed(streamId: StreamId): boolean {
    return this.guard.isAllowed(streamId);
  }

  private buildEngine(welcome: Welcome): PeerEngine {
    this.currentEngine = new PeerEngine({
      nodeId: welcome.nodeId,
      clock: this.options.clock,
      store: this.store,
      originFetch: this.origin.fetch,
      allowOrigin: (streamId) => this.guard.isAllowed(streamId),
      // kbit/s → bytes/s; a node offering no upload gets no children, and a cap of 1 B/s.
      uploadBytesPerSecond: Math.max(1, (this.options.uploadKbps * 1000) / 8),
      ...this.integrity.verifier.engineHooks(),
      log: createDebug('p2pcdn:worker:engine'),
    });
    this.currentEngine.onMisbehaviour(this.integrity.onMisbehaviour);
    return this.currentEngine;
  }
}
