import {
  IntegrityMonitor,
  PeerEngine,
  StreamVerifier,
  SegmentLoader,
  SegmentStore,
  type Clock,
  type EngineStats,
  type MisbehaviourReport,
  type OriginFetch,
  type PeerSegmentSource,
  type StreamId,
  type Welcome,
} from '@p2pcdn/core';
import createDebug from 'debug';
import type { IntegrityFigures } from '../stats/figures.ts';
import { WebCryptoProvider } from './crypto-web.ts';

/** Sizing and I/O of a {@link P2pStack}. */
export interface P2pStackOptions {
  /** Bytes of segment cache (segments this tab played, kept to serve its children). */
  cacheBytes: number;
  /** Upload this tab may spend on its children, kbit/s. */
  uploadKbps: number;
  clock: Clock;
  /** HTTP fetch from the stream's origin. */
  originFetch: OriginFetch;
}

/** Cumulative counters of engines already replaced, so figures never go backwards. */
interface Carried {
  httpBytes: number;
  p2pBytes: number;
  uploadBytes: number;
}

/**
 * The tab's share of core, wired together: a segment store, the peer engine (built by the node
 * agent once the coordinator has assigned this tab's id, rebuilt if a reconnect changes it) and
 * the segment loader that hls.js's fragments go through (peers first, HTTP before starving).
 */
export class P2pStack {
  readonly store: SegmentStore;
  readonly loader: SegmentLoader;
  private engine: PeerEngine | undefined;
  private readonly originAllowed = new Set<StreamId>();
  private readonly carried: Carried = { httpBytes: 0, p2pBytes: 0, uploadBytes: 0 };
  /**
   * Every segment from a peer is checked against the stream's signed manifest (WebCrypto)
   * before the engine stores it, hands it to hls.js or relays it; bad senders are reported.
   */
  readonly integrity: IntegrityMonitor;
  private reporter: ((report: MisbehaviourReport) => void) | undefined;

  constructor(private readonly options: P2pStackOptions) {
    this.integrity = new IntegrityMonitor(
      new StreamVerifier({
        crypto: new WebCryptoProvider(),
        clock: options.clock,
        fetchManifest: async (url) => {
          const res = await fetch(url, { cache: 'no-cache' });
          if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
          return (await res.json()) as unknown;
        },
        log: createDebug('p2pcdn:player:integrity'),
      }),
      (report) => this.reporter?.(report),
    );
    this.store = new SegmentStore({
      capacityBytes: options.cacheBytes,
      log: createDebug('p2pcdn:player:store'),
    });
    // The loader outlives engines: it always asks the current one.
    const peers: PeerSegmentSource = {
      fetchFromPeers: (segment, opts) => {
        this.integrity.verifier.expect(segment);
        return this.engine?.fetchFromPeers(segment, opts) ?? Promise.resolve(null);
      },
      hasParents: (streamId) => this.engine?.hasParents(streamId) ?? false,
      recordHttpBytes: (bytes, streamId) => this.engine?.recordHttpBytes(bytes, streamId),
    };
    this.loader = new SegmentLoader({
      peers,
      httpFetch: options.originFetch,
      clock: options.clock,
      store: this.store,
      log: createDebug('p2pcdn:player:loader'),
    });
  }

  /** The node agent's engine factory: a peer engine announcing the Welcome's node id. */
  readonly buildEngine = (welcome: Welcome): PeerEngine => {
    if (this.engine) {
      const last = this.engine.stats();
      this.carried.httpBytes += last.httpBytes;
      this.carried.p2pBytes += last.p2pBytes;
      this.carried.uploadBytes += last.uploadBytes;
    }
    this.engine = new PeerEngine({
      nodeId: welcome.nodeId,
      clock: this.options.clock,
      store: this.store,
      originFetch: this.options.originFetch,
      // Children may be served from the origin only where the coordinator made this tab a root.
      allowOrigin: (streamId) => this.originAllowed.has(streamId),
      uploadBytesPerSecond: Math.max(1, (this.options.uploadKbps * 1000) / 8),
      ...this.integrity.verifier.engineHooks(),
      log: createDebug('p2pcdn:player:engine'),
    });
    this.engine.onMisbehaviour(this.integrity.onMisbehaviour);
    return this.engine;
  };

  /**
   * Follows the agent's stream assignments (publisher key, manifest URL) and reports peers that
   * send bad data through it.
   */
  attachAgent(agent: {
    reportMisbehaviour(report: MisbehaviourReport): Promise<void>;
    on: Parameters<IntegrityMonitor['follow']>[0]['on'];
  }): void {
    this.reporter = (report) => void agent.reportMisbehaviour(report);
    this.integrity.follow(agent);
  }

  /** How `streamId` is verified on this tab, and what was rejected. */
  integrityFigures(streamId: StreamId): IntegrityFigures {
    const stats = this.integrity.verifier.stats().find((s) => s.streamId === streamId);
    const bySource = this.integrity.rejections();
    return {
      state: this.integrity.verifier.state(streamId),
      verified: stats?.verified ?? 0,
      rejected: stats?.rejected ?? bySource.reduce((sum, r) => sum + r.rejected, 0),
      bySource,
    };
  }

  /** Whether a parent link is up in `streamId`. */
  hasParents(streamId: StreamId): boolean {
    return this.engine?.hasParents(streamId) ?? false;
  }

  /** Records the coordinator's `origin` permission for `streamId`. */
  setOriginAllowed(streamId: StreamId, allowed: boolean): void {
    if (allowed) this.originAllowed.add(streamId);
    else this.originAllowed.delete(streamId);
  }

  /** Cumulative transfer figures across every engine this tab ran. */
  stats(): EngineStats {
    const current = this.engine?.stats();
    return {
      httpBytes: this.carried.httpBytes + (current?.httpBytes ?? 0),
      p2pBytes: this.carried.p2pBytes + (current?.p2pBytes ?? 0),
      uploadBytes: this.carried.uploadBytes + (current?.uploadBytes ?? 0),
      links: current?.links ?? [],
      storeBytes: this.store.bytes,
      // The current engine's striped pulls (the stats panel, window.__p2pcdn.stripe, heartbeats).
      ...(current?.stripes && { stripes: current.stripes }),
    };
  }

  /** Stops the engine (closing its links); the store is dropped with the stack. */
  dispose(): void {
    this.engine?.destroy();
  }
}
