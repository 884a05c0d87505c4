import {
  MAX_SEGMENT_BYTES,
  segmentKey,
  type LinkStats,
  type NodeId,
  type NodeStats,
  type SegmentRef,
  type StreamId,
  type StripeMessage,
} from '../protocol/index.ts';
import type { SegmentStore } from '../store/segment-store.ts';
import { ChildServer, type FetchThroughResult } from './child-server.ts';
import { Coalescer } from './coalescer.ts';
import { PeerEngineError } from './errors.ts';
import { LinkSession } from './link-session.ts';
import { ListenerSet } from './listeners.ts';
import { LiveSegment, LiveSegments } from './live-segment.ts';
import { pullForChild } from './pull-for-child.ts';
import { rankParents } from './parent-ranking.ts';
import { StreamCounterBook } from './stream-counters.ts';
import { StripeServer } from './stripe-server.ts';
import { DEFAULT_STRIPING, type StripeStats, type StripingSettings } from './stripe-types.ts';
import { StripedPulls } from './striped-pulls.ts';
import { UploadScheduler } from './upload-scheduler.ts';
import type {
  FetchFromPeersOptions,
  LinkClosedEvent,
  MisbehaviourDetail,
  PeerEngineOptions,
  SegmentCheck,
  SegmentEvent,
} from './peer-engine-types.ts';
import type { CancelToken, Clock, LinkRole, LoadedSegment, Logger, OriginFetch, PeerLink } from './types.ts';

const noop: Logger = () => {};

/**
 * The peer engine every node runs, over links the host hands it: it pulls segments from parent
 * links, serves (and fetches through for) child links within an upload cap, and keeps figures.
 * All input from peers is validated; a peer that keeps breaking the protocol is cut off.
 */
export class PeerEngine {
  private readonly clock: Clock;
  private readonly store: SegmentStore;
  private readonly log: Logger;
  private readonly sessions = new Set<LinkSession>();
  private readonly byLink = new Map<PeerLink, LinkSession>();
  private readonly badFrames = new Map<NodeId, number>();
  private readonly scheduler: UploadScheduler;
  private readonly children: ChildServer;
  private readonly peerFetches: Coalescer<LoadedSegment>;
  private readonly originFetches: Coalescer<Uint8Array>;
  /** Segments arriving from parents now, forwarded to waiting children as they arrive. */
  private readonly live = new LiveSegments();
  private readonly segmentListeners: ListenerSet<[SegmentEvent]>;
  private readonly closeListeners: ListenerSet<[LinkClosedEvent]>;
  private readonly misbehaviourListeners: ListenerSet<[NodeId, string, MisbehaviourDetail]>;
  private readonly counters = new StreamCounterBook();
  private readonly stripeServer: StripeServer;
  private readonly striping: StripingSettings | undefined;
  private readonly pulls: StripedPulls;
  /** Per stream, the parents the latest plan lists (the others are on their way out). */
  private readonly planned = new Map<StreamId, ReadonlySet<NodeId>>();
  private p2pBytes = 0;
  private httpBytes = 0;
  private destroyed = false;

  constructor(private readonly options: PeerEngineOptions) {
    this.clock = options.clock;
    this.store = options.store;
    this.log = options.log ?? noop;
    const cap = options.uploadBytesPerSecond;
    if (cap !== undefined && !(cap >= 0)) {
      throw new PeerEngineError('invalid-argument', `uploadBytesPerSecond must be 0 or more, got ${cap}`);
    }
    this.scheduler = new UploadScheduler({
      clock: this.clock,
      ...(cap !== undefined && cap > 0 && { bytesPerSecond: cap }),
      ...(options.uploadBurstBytes !== undefined && { burstBytes: options.uploadBurstBytes }),
      ...(options.highWaterMarkBytes !== undefined && { highWaterMarkBytes: options.highWaterMarkBytes }),
      ...(options.backpressurePollMs !== undefined && { backpressurePollMs: options.backpressurePollMs }),
      log: this.log,
    });
    this.children = new ChildServer({
      store: this.store,
      scheduler: this.scheduler,
      fetchThrough: (segment, requester, cancel) => this.fetchThrough(segment, requester, cancel),
      maxRequestsPerChild: cap === 0 ? 0 : (options.maxRequestsPerChild ?? 16),
      onBadFrame: (session, reason) => this.reportBadFrame(session, reason),
      onUploaded: (streamId, bytes) => this.counters.add(streamId, 'uploadBytes', bytes),
      log: this.log,
    });
    this.stripeServer = new StripeServer({
      clock: this.clock,
      store: this.store,
      scheduler: this.scheduler,
      fetchThrough: (segment, requester, cancel, via) => this.fetchThrough(segment, requester, cancel, via),
      onBadFrame: (session, reason) => this.reportBadFrame(session, reason),
      onUploaded: (streamId, bytes) => this.counters.add(streamId, 'uploadBytes', bytes),
      log: this.log,
    });
    this.striping = options.striping === false ? undefined : { ...DEFAULT_STRIPING, ...options.striping };
    this.pulls = new StripedPulls({
      clock: this.clock,
      log: this.log,
      settings: this.striping ?? DEFAULT_STRIPING,
      verifySegment: (segment, data) => this.verify(segment, data),
      ...(options.verifyBlock && {
        checkBlock: (segment, index, blockBytes, payload) =>
          this.verifyBlock(segment, index, blockBytes, payload),
      }),
      onLive: (segment, live) => this.live.add(fetchKey(segment), live),
      punish: (session, segment, block, reason) =>
        this.punish(session.peerId, reason, { kind: 'bad-data', segment, block }),
      badFrame: (session, reason) => this.reportBadFrame(session, reason),
    });
    this.peerFetches = new Coalescer(this.clock, this.log);
    this.originFetches = new Coalescer(this.clock, this.log);
    this.segmentListeners = new ListenerSet('segment', this.log);
    this.closeListeners = new ListenerSet('link-closed', this.log);
    this.misbehaviourListeners = new ListenerSet('misbehaviour', this.log);
  }

  /**
   * Hands the engine an open link for `streamId`; `role` is the peer's side of the edge. The same
   * link object may be added for several streams. Says `hello` and starts pinging on a new link.
   */
  addLink(streamId: StreamId, link: PeerLink, role: LinkRole): void {
    if (this.destroyed) throw new PeerEngineError('destroyed', 'the peer engine was destroyed');
    const existing = this.byLink.get(link);
    if (existing) {
      existing.streams.set(streamId, role);
      return;
    }
    const session = new LinkSession({
      link,
      localId: this.options.nodeId,
      clock: this.clock,
      pingIntervalMs: this.options.pingIntervalMs ?? 5000,
      log: this.log,
      hooks: {
        onRequest: (s, msg) => this.children.handleRequest(s, msg),
        onCancel: (s, id) => this.children.handleCancel(s, id),
        onBadFrame: (s, reason) => this.reportBadFrame(s, reason),
        onBroken: (s, reason) => this.closeSession(s, reason),
        onStripe: (s, msg) => this.onStripe(s, msg),
        onBlock: (s, frame) => this.pulls.onBlock(s, frame),
      },
    });
    session.streams.set(streamId, role);
    this.sessions.add(session);
    this.byLink.set(link, session);
    link.onMessage((data) => session.receive(data));
    // Event-driven backpressure where the link supports it; the scheduler polls otherwise.
    link.onBufferedAmountLow?.(this.lowWaterMarkBytes(), () => this.scheduler.wake());
    // A link that is already closed calls this at once, removing the session again.
    link.onClose((reason) => this.closeSession(session, reason ?? 'closed'));
    if (this.sessions.has(session)) session.open();
  }

  /**
   * Drops `peerId`'s links for `streamId`, or all of its links when no stream is given. Links left
   * without any stream are closed. Returns how many links were closed.
   */
  removeLink(peerId: NodeId, streamId?: StreamId): number {
    let closed = 0;
    for (const session of [...this.sessions]) {
      if (session.peerId !== peerId) continue;
      if (streamId !== undefined) {
        session.streams.delete(streamId);
        this.pulls.removeSession(session, streamId);
      }
      if (streamId === undefined || session.streams.size === 0) {
        this.closeSession(session, 'removed by host');
        closed++;
      }
    }
    return closed;
  }

  /** Drops every link's role in `streamId` (the coordinator released it); returns links closed. */
  removeStream(streamId: StreamId): number {
    this.pulls.closeStream(streamId);
    this.planned.delete(streamId);
    let closed = 0;
    for (const session of [...this.sessions]) {
      if (!session.streams.delete(streamId) || session.streams.size > 0) continue;
      this.closeSession(session, `stream ${streamId} released`);
      closed++;
    }
    return closed;
  }

  /** Whether any open link is a parent in `streamId`. */
  hasParents(streamId: StreamId): boolean {
    for (const session of this.sessions) if (session.streams.get(streamId) === 'parent') return true;
    return false;
  }

  /** Parents in `streamId`, best first, as fetches will try them. */
  parents(streamId: StreamId): NodeId[] {
    return rankParents(this.sessions, streamId).map((s) => s.peerId);
  }

  /**
   * Gets a segment from the store or from this node's parents in its stream, best parent first,
   * moving to the next on `miss`, stall or link loss. Concurrent calls for one segment share one
   * transfer. Resolves null on timeout or when no parent could serve it; rejects with a
   * `cancelled` {@link PeerEngineError} when `cancel` fires.
   */
  async fetchFromPeers(segment: SegmentRef, opts: FetchFromPeersOptions): Promise<LoadedSegment | null> {
    if (this.destroyed) throw new PeerEngineError('destroyed', 'the peer engine was destroyed');
    if (opts.cancel?.cancelled) throw new PeerEngineError('cancelled', 'cancelled by caller');
    if (!(opts.timeoutMs >= 0)) {
      throw new PeerEngineError(
        'invalid-argument',
        `timeoutMs must be a non-negative number, got ${opts.timeoutMs}`,
      );
    }
    const held = this.store.get(segment);
    if (held) return { data: held, source: 'cache' };
    if (!this.hasParents(segment.streamId)) return null;
    return this.peerFetches.run(fetchKey(segment), (token) => this.pullFromParents(segment, token), opts);
  }

  /**
   * Adds segment bytes the host fetched over HTTP itself (e.g. the player's fallback) to
   * {@link PeerEngine.stats}, and to `streamId`'s counters when given.
   */
  recordHttpBytes(bytes: number, streamId?: StreamId): void {
    if (!Number.isSafeInteger(bytes) || bytes < 0) {
      throw new PeerEngineError('invalid-argument', `recordHttpBytes needs a byte count, got ${bytes}`);
    }
    this.httpBytes += bytes;
    if (streamId !== undefined) this.counters.add(streamId, 'httpBytes', bytes);
  }

  /** Cumulative figures for the heartbeat. `p2pBytes` counts completed segments only. */
  stats(): NodeStats {
    const byPeer = new Map<NodeId, LinkStats>();
    for (const session of this.sessions) {
      const entry = byPeer.get(session.peerId) ?? { peerId: session.peerId, bytesIn: 0, bytesOut: 0 };
      entry.bytesIn += session.bytesIn;
      entry.bytesOut += session.bytesOut;
      if (session.rttMs !== undefined) {
        const rtt = Math.min(600_000, Math.round(session.rttMs));
        entry.rttMs = entry.rttMs === undefined ? rtt : Math.min(entry.rttMs, rtt);
      }
      byPeer.set(session.peerId, entry);
    }
    return {
      httpBytes: this.httpBytes,
      p2pBytes: this.p2pBytes,
      uploadBytes: this.scheduler.uploadedBytes,
      links: [...byPeer.values()].slice(0, 256),
      storeBytes: this.store.bytes,
      streams: this.counters.list(),
      ...(this.pulls.size > 0 && { stripes: this.pulls.figures() }),
    };
  }

  /**
   * The parents the coordinator's latest plan lists for `streamId`. Striped pulls use only these:
   * a parent being replaced (make before break) keeps serving whole segments until it is cut, but
   * is not given blocks beside its successor, which would then fetch them through its own
   * sources while the old parent holds them. Without a call every parent is used.
   */
  setPlannedParents(streamId: StreamId, parents: readonly NodeId[]): void {
    this.planned.set(streamId, new Set(parents));
  }

  /**
   * Route mode for `streamId`: each parent in `routes` is asked to route the blocks it sends from
   * the node it maps to (one of that parent's own parents), from the next pattern on.
   */
  setStripeRoutes(streamId: StreamId, routes: ReadonlyMap<NodeId, NodeId>): void {
    if (this.destroyed) throw new PeerEngineError('destroyed', 'the peer engine was destroyed');
    this.pulls.get(streamId).sources.setRoutes(routes);
  }

  /**
   * Changes the upload cap across all children from now on, bytes per second (undefined lifts
   * it); uploads under way keep going at the new pace. An engine built with a cap of 0 (serving
   * no children) keeps refusing them: 0 is not a rate and is rejected here.
   */
  setUploadCap(bytesPerSecond: number | undefined): void {
    if (bytesPerSecond !== undefined && !(bytesPerSecond > 0 && Number.isFinite(bytesPerSecond))) {
      throw new PeerEngineError(
        'invalid-argument',
        `setUploadCap needs a positive number of bytes per second, got ${bytesPerSecond}`,
      );
    }
    this.scheduler.setRate(bytesPerSecond);
  }

  /** The striped pulls' patterns and per-source figures, one entry per stream pulled striped. */
  stripeStats(): StripeStats[] {
    return this.pulls.stats();
  }

  /** Calls `listener` for each segment obtained from a peer or fetched through from the origin. */
  onSegment(listener: (event: SegmentEvent) => void): () => void {
    return this.segmentListeners.add(listener);
  }

  /** Calls `listener` whenever a link leaves the engine. */
  onLinkClosed(listener: (event: LinkClosedEvent) => void): () => void {
    return this.closeListeners.add(listener);
  }

  /** Calls `listener` when a peer is cut off for breaking the protocol or sending bad data. */
  onMisbehaviour(listener: (peerId: NodeId, reason: string, detail: MisbehaviourDetail) => void): () => void {
    return this.misbehaviourListeners.add(listener);
  }

  /** Closes every link and stops all work; pending fetches resolve null. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.scheduler.stop();
    this.peerFetches.cancelAll();
    this.originFetches.cancelAll();
    this.live.failAll('engine destroyed');
    this.pulls.closeAll();
    for (const session of [...this.sessions]) this.closeSession(session, 'engine destroyed');
  }

  /** Pulls from the parents (from `only` among them, in route mode), striped where it applies. */
  private async pullFromParents(
    segment: SegmentRef,
    cancel: CancelToken,
    only?: NodeId,
  ): Promise<LoadedSegment | null> {
    const key = segmentKey(segment);
    const liveKey = fetchKey(segment);
    const striped = only === undefined ? await this.pullStriped(segment, cancel) : null;
    if (striped) return striped;
    const tried = new Set<LinkSession>();
    while (!cancel.cancelled && !this.destroyed) {
      // Ranked afresh each round so parents connected meanwhile (make-before-break) are used.
      const parent = rankParents(this.sessions, segment.streamId).find(
        (s) => !tried.has(s) && !this.waitsOnUs(s, key) && (only === undefined || s.peerId === only),
      );
      if (!parent) return null;
      tried.add(parent);
      // Children waiting for this segment get its frames as they arrive (see LiveSegment).
      let live: LiveSegment | undefined;
      const outcome = await parent.request(segment, {
        stallTimeoutMs: this.options.stallTimeoutMs ?? 4000,
        firstByteTimeoutMs:
          this.options.firstByteTimeoutMs ?? (this.options.upstreamTimeoutMs ?? 8000) + 2000,
        cancel,
        observer: {
          onStart: (buffer) => {
            live = new LiveSegment(buffer);
            this.live.add(liveKey, live);
          },
          onProgress: (received) => live?.progress(received),
        },
      });
      parent.recordOutcome(outcome);
      if (!outcome.ok) {
        live?.fail(`${outcome.reason} from ${parent.peerId}: ${outcome.detail}`);
        this.log('%s from %s: %s (%s)', key, parent.peerId, outcome.reason, outcome.detail);
        continue;
      }
      const check = await this.verify(segment, outcome.data);
      if (check !== true) {
        // Children got every byte but the last: their transfers are aborted, never completed.
        live?.fail(`failed verification (from ${parent.peerId})`);
        if (check === false) {
          this.punish(parent.peerId, `sent data for ${key} that failed verification`, {
            kind: 'bad-data',
            segment,
          });
        } else this.log('%s from %s cannot be vouched for yet: dropped', key, parent.peerId);
        continue;
      }
      if (cancel.cancelled) {
        live?.fail('cancelled');
        return null;
      }
      live?.complete();
      return this.acceptFromPeers(segment, outcome.data, parent.peerId);
    }
    return null;
  }

  /** Never ask a peer that is itself waiting on us for this segment: that would be a loop. */
  private waitsOnUs(session: LinkSession, key: string): boolean {
    return this.children.isServing(session, key) || this.stripeServer.isServing(session, key);
  }

  /**
   * The striped pull of a segment from every parent at once (two or more), or null when it does
   * not apply or gave up (the whole-segment requests then take over).
   */
  private async pullStriped(segment: SegmentRef, cancel: CancelToken): Promise<LoadedSegment | null> {
    if (!this.striping) return null;
    const key = segmentKey(segment);
    const planned = this.planned.get(segment.streamId);
    const parents = rankParents(this.sessions, segment.streamId).filter(
      (s) => !this.waitsOnUs(s, key) && (!planned || planned.has(s.peerId)),
    );
    if (parents.length < 2) return null;
    const result = await this.pulls
      .get(segment.streamId)
      .fetch(segment, parents, cancel, this.options.segmentSize?.(segment));
    if (typeof result === 'string') {
      this.log('striped pull of %s: %s; asking parents one at a time', key, result);
      return null;
    }
    if (cancel.cancelled || this.destroyed) return null;
    let top: NodeId | undefined;
    let most = -1;
    for (const [peerId, bytes] of result.contributions) {
      if (bytes > most) [top, most] = [peerId, bytes];
    }
    return this.acceptFromPeers(segment, result.data, top);
  }

  /** A verified segment from peers (`peerId`: the one that sent most of it): counted, stored, told. */
  private acceptFromPeers(segment: SegmentRef, data: Uint8Array, peerId: NodeId | undefined): LoadedSegment {
    this.p2pBytes += data.byteLength;
    this.counters.add(segment.streamId, 'p2pBytes', data.byteLength);
    this.store.put(segment, data);
    const from = peerId === undefined ? {} : { peerId };
    this.segmentListeners.emit({ segment, bytes: data.byteLength, source: 'p2p', ...from });
    return { data, source: 'p2p', ...from };
  }

  private async verifyBlock(
    segment: SegmentRef,
    index: number,
    blockBytes: number,
    payload: Uint8Array,
  ): Promise<SegmentCheck> {
    try {
      return (await this.options.verifyBlock?.(segment, index, blockBytes, payload)) ?? 'unknown';
    } catch (err) {
      this.log('verifying a block of %s threw: %O', segmentKey(segment), err);
      return 'unknown';
    }
  }

  /** A striped-pull message: answers to this node's pulls go to them, the rest to its server. */
  private onStripe(session: LinkSession, msg: StripeMessage): void {
    switch (msg.type) {
      case 'stripe-have':
      case 'stripe-miss':
      case 'probe-reply':
        return this.pulls.onAnswer(session, msg);
      default:
        return this.stripeServer.handle(session, msg);
    }
  }

  private async fetchThrough(
    segment: SegmentRef,
    requester: LinkSession,
    cancel: CancelToken,
    via?: NodeId,
  ): Promise<FetchThroughResult> {
    // Route mode: a receiver asked for blocks routed from one of our parents in particular.
    const route = rankParents(this.sessions, segment.streamId).some((s) => s.peerId === via)
      ? via
      : undefined;
    const key = route === undefined ? fetchKey(segment) : `${fetchKey(segment)} via ${route}`;
    const hadParents = rankParents(this.sessions, segment.streamId).some((s) => s !== requester);
    try {
      if (hadParents) {
        const got = await pullForChild(
          {
            clock: this.clock,
            peerFetches: this.peerFetches,
            live: this.live,
            pull: (token) => this.pullFromParents(segment, token, route),
            upstreamTimeoutMs: this.options.upstreamTimeoutMs ?? 8000,
          },
          key,
          cancel,
        );
        if (got) return got;
      }
      const held = this.store.get(segment);
      if (held) return { data: held };
      const { originFetch } = this.options;
      if (originFetch && (this.options.allowOrigin?.(segment.streamId, segment) ?? true)) {
        const data = await this.originFetches.run(
          key,
          (token) => this.pullFromOrigin(originFetch, segment, token),
          {
            timeoutMs: this.options.originTimeoutMs ?? 15_000,
            cancel,
          },
        );
        return data ? { data } : { miss: 'upstream-failed' };
      }
    } catch (err) {
      if (err instanceof PeerEngineError && err.kind === 'cancelled') return { miss: 'cancelled' };
      throw err;
    }
    return { miss: hadParents ? 'upstream-failed' : 'not-found' };
  }

  /** Send-buffer level at which a link that was above the high-water mark wakes the scheduler. */
  private lowWaterMarkBytes(): number {
    return Math.floor((this.options.highWaterMarkBytes ?? 1024 * 1024) / 2);
  }

  private async pullFromOrigin(
    originFetch: OriginFetch,
    segment: SegmentRef,
    cancel: CancelToken,
  ): Promise<Uint8Array | null> {
    const data = await originFetch(segment, cancel);
    if (cancel.cancelled || this.destroyed) return null;
    this.httpBytes += data.byteLength;
    this.counters.add(segment.streamId, 'httpBytes', data.byteLength);
    if (data.byteLength > MAX_SEGMENT_BYTES) {
      this.log('origin sent %d bytes for %s: too large to relay', data.byteLength, segmentKey(segment));
      return null;
    }
    this.store.put(segment, data);
    this.segmentListeners.emit({ segment, bytes: data.byteLength, source: 'http' });
    return data;
  }

  private async verify(segment: SegmentRef, data: Uint8Array): Promise<SegmentCheck> {
    const { verifySegment } = this.options;
    if (!verifySegment) return true;
    try {
      return await verifySegment(segment, data);
    } catch (err) {
      this.log('verifying %s threw: %O', segmentKey(segment), err);
      return false;
    }
  }

  private reportBadFrame(session: LinkSession, reason: string): void {
    const count = (this.badFrames.get(session.peerId) ?? 0) + 1;
    this.badFrames.set(session.peerId, count);
    this.log('bad frame %d from %s: %s', count, session.peerId, reason);
    if (count >= (this.options.badFrameThreshold ?? 16)) {
      this.punish(session.peerId, `${count} protocol violations, last: ${reason}`, { kind: 'protocol' });
    }
  }

  /**
   * Tells the host, then cuts every link to `peerId`: the host's report (e.g. to the
   * coordinator) goes out while the peer is still its parent, before the link-loss it causes.
   */
  private punish(peerId: NodeId, reason: string, detail: MisbehaviourDetail): void {
    this.badFrames.delete(peerId);
    this.log('cutting off %s: %s', peerId, reason);
    this.misbehaviourListeners.emit(peerId, reason, detail);
    for (const session of [...this.sessions]) {
      if (session.peerId === peerId) this.closeSession(session, `misbehaviour: ${reason}`);
    }
  }

  private closeSession(session: LinkSession, reason: string): void {
    if (!this.sessions.delete(session)) return;
    this.byLink.delete(session.link);
    const streams = [...session.streams].map(([streamId, role]) => ({ streamId, role }));
    session.dispose(reason);
    this.children.dropSession(session);
    this.stripeServer.dropSession(session);
    this.pulls.removeSession(session);
    try {
      session.link.close();
    } catch (err) {
      this.log('closing link to %s threw: %O', session.peerId, err);
    }
    this.closeListeners.emit({ peerId: session.peerId, streams, reason });
  }
}

/** Coalescing key: stream-scoped like the store, so streams never share transfers. */
function fetchKey(segment: SegmentRef): string {
  return `${segment.streamId} ${segmentKey(segment)}`;
}
