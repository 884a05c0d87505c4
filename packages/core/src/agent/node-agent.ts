import type { Logger, PeerLink, TimerHandle } from '../engine/types.ts';
import {
  assertNever,
  type ClientMessage,
  type NodeId,
  type NodeStats,
  type ServerMessage,
  type StreamId,
  type StreamInfo,
  type Welcome,
} from '../protocol/index.ts';
import { TypedEmitter } from './emitter.ts';
import { AgentError } from './errors.ts';
import { HaveBatcher, split, type HaveBatch } from './have-batcher.ts';
import { LoadWatch, type LoadRequest } from './load-watch.ts';
import { PeerConnections, type ConnectionInfo } from './peer-connections.ts';
import type { SignalingChannel, Unsubscribe } from './signaling-channel.ts';
import { toIceServers } from './simple-peer-link.ts';
import type {
  AgentEngine,
  AgentStore,
  HelloFields,
  NodeAgentEvents,
  NodeAgentOptions,
  StreamAssignment,
} from './types.ts';

/** Per-stream state: what the coordinator assigned and whether the host joined it. */
interface StreamState {
  info: StreamInfo | undefined;
  /** The host called `join` (viewers); rejoined after a reconnect. */
  joined: boolean;
  /** Parents listed by the latest `parents` message. */
  wanted: Set<NodeId>;
  origin: boolean;
}

type AgentPhase = 'idle' | 'starting' | 'running' | 'stopped';

/**
 * The node agent that browser tabs and Node workers both run: it speaks to the coordinator over
 * a {@link SignalingChannel} and turns its instructions into WebRTC links for the peer engine.
 *
 * - `parents`: connects to new parents first (initiator side, retried), reports `connected`, and
 *   only then closes links to parents no longer listed (make-before-break); a parent that cannot
 *   be reached is reported with `parent-failed`.
 * - an offer from a node that is not yet a peer opens a child link (answering side).
 * - `release` closes the stream's links; `origin: true` is passed to the host as an `origin` event.
 * - heartbeats (`stats`) every `heartbeatMs`, and batched `have` messages from store changes.
 * - `distribute` / `consolidate` when the measured upload load crosses the coordinator's marks
 *   (see {@link LoadWatch}: over a window of heartbeats, with hysteresis).
 * - after a signalling reconnect it says hello again, rejoins its streams and resends its holdings.
 */
export class NodeAgent {
  private readonly signaling: SignalingChannel;
  private currentEngine: AgentEngine | undefined;
  private readonly store: AgentStore | undefined;
  private readonly options: NodeAgentOptions;
  private readonly log: Logger;
  private readonly events: TypedEmitter<NodeAgentEvents>;
  private readonly connections: PeerConnections;
  private readonly haves: HaveBatcher;
  private readonly streams = new Map<StreamId, StreamState>();
  private readonly subscriptions: Unsubscribe[] = [];
  /** Server messages that arrived before the Welcome was processed. */
  private backlog: ServerMessage[] = [];
  private phase: AgentPhase = 'idle';
  private hello: HelloFields | undefined;
  private currentWelcome: Welcome | undefined;
  private heartbeatTimer: TimerHandle | undefined;
  private rehelloTimer: TimerHandle | undefined;
  /** The id before a reconnect, kept while the new hello is in flight. */
  private previousNodeId: NodeId | undefined;
  /** Measures upload against the load marks (built at the first heartbeat that has marks). */
  private loadWatch: LoadWatch | undefined;

  constructor(options: NodeAgentOptions) {
    this.options = options;
    this.signaling = options.signaling;
    this.currentEngine = typeof options.engine === 'function' ? undefined : options.engine;
    this.store = options.store;
    this.log = options.log ?? (() => {});
    this.events = new TypedEmitter(this.log);
    this.connections = new PeerConnections({
      clock: options.clock,
      peerFactory: options.peerFactory,
      iceServers: () => toIceServers(this.currentWelcome?.iceServers ?? []),
      sendSignal: (streamId, to, signal) => this.post({ type: 'signal', to, streamId, signal }),
      onOpen: (info, link) => this.onLinkOpen(info, link),
      onParentFailed: (streamId, peerId, reason) => this.onParentFailed(streamId, peerId, reason),
      onLost: (info, reason) => this.onLinkLost(info, reason),
      connectTimeoutMs: options.connectTimeoutMs ?? 15_000,
      attempts: options.connectAttempts ?? 3,
      retryDelayMs: options.retryDelayMs ?? 150,
      maxConnections: options.maxConnections ?? 128,
      ...(options.decodeText ? { decodeText: options.decodeText } : {}),
      log: this.log,
    });
    this.haves = new HaveBatcher(options.clock, options.haveIntervalMs ?? 500, (batch) =>
      this.sendHave(batch),
    );
  }

  /** The coordinator-assigned id, once started. */
  get nodeId(): NodeId | undefined {
    return this.currentWelcome?.nodeId;
  }

  /** The engine links go to (built at the first Welcome when a factory was given). */
  get engine(): AgentEngine | undefined {
    return this.currentEngine;
  }

  /** The latest Welcome, once started. */
  get welcome(): Welcome | undefined {
    return this.currentWelcome;
  }

  /** Current assignments, one per stream the coordinator placed this node in. */
  assignments(): StreamAssignment[] {
    const out: StreamAssignment[] = [];
    for (const [streamId, st] of this.streams) {
      if (st.info) out.push({ streamId, stream: st.info, parents: [...st.wanted], origin: st.origin });
    }
    return out;
  }

  /** Whether the coordinator currently allows this node to fetch `streamId` from the origin. */
  originAllowed(streamId: StreamId): boolean {
    return this.streams.get(streamId)?.origin ?? false;
  }

  /** Open and pending WebRTC links. */
  links(streamId?: StreamId): ConnectionInfo[] {
    return this.connections.list(streamId);
  }

  /** Subscribes to agent events; returns an unsubscriber. */
  on<K extends keyof NodeAgentEvents>(event: K, listener: NodeAgentEvents[K]): Unsubscribe {
    return this.events.on(event, listener);
  }

  /** Says hello to the coordinator and starts heartbeats and the table of contents. */
  async start(hello: HelloFields): Promise<Welcome> {
    if (this.phase !== 'idle') throw new AgentError('state', `start() called while ${this.phase}`);
    this.phase = 'starting';
    this.hello = hello;
    this.subscriptions.push(
      this.signaling.onMessage((msg) => this.onServerMessage(msg)),
      this.signaling.onDisconnect((reason) => this.onDisconnect(reason)),
      this.signaling.onReconnect(() => void this.rehello()),
    );
    if (this.store) {
      this.subscriptions.push(
        this.store.subscribe((change) => {
          if (!this.streams.has(change.streamId)) return;
          if (change.type === 'added') this.haves.added(change.streamId, change.key);
          else this.haves.removed(change.streamId, change.key);
        }),
      );
    }
    try {
      const welcome = await this.signaling.send({ type: 'hello', protocol: 1, ...hello });
      if (this.phase !== 'starting') throw new AgentError('state', 'stopped while starting');
      this.phase = 'running';
      this.acceptWelcome(welcome, false);
      return welcome;
    } catch (error) {
      if (this.phase === 'starting') this.teardown();
      throw error;
    }
  }

  /** Asks to watch `streamId`; parents follow in a `parents` message (see the `assignment` event). */
  async join(streamId: StreamId): Promise<StreamInfo> {
    this.assertRunning('join');
    const { stream } = await this.signaling.send({ type: 'join', streamId });
    const st = this.stream(streamId);
    st.joined = true;
    st.info = stream;
    this.sendInventory(streamId);
    return stream;
  }

  /**
   * Stops watching or serving `streamId` (every stream when omitted). The coordinator moves this
   * node's children first and acknowledges once they moved; then the links close.
   */
  async leave(streamId?: StreamId): Promise<void> {
    this.assertRunning('leave');
    try {
      await this.signaling.send(streamId === undefined ? { type: 'leave' } : { type: 'leave', streamId });
    } finally {
      const ids = streamId === undefined ? [...this.streams.keys()] : [streamId];
      for (const id of ids) this.dropStream(id, 'left');
    }
  }

  /**
   * Reports to the coordinator that `peerId` sent this node data of `streamId` that failed
   * verification (fire and forget: a refusal is logged, never thrown).
   */
  reportMisbehaviour(report: Omit<Extract<ClientMessage, { type: 'misbehaviour' }>, 'type'>): Promise<void> {
    return this.post({ type: 'misbehaviour', ...report });
  }

  /**
   * Leaves every stream (when signalling is up), closes every link and stops all timers. The
   * signalling channel itself belongs to the host and stays open.
   */
  async stop(): Promise<void> {
    if (this.phase === 'stopped') return;
    const wasRunning = this.phase === 'running';
    if (wasRunning && this.signaling.connected) {
      try {
        await this.leave();
      } catch (error) {
        this.log('leave during stop failed: %O', error);
      }
    }
    this.teardown();
  }

  private teardown(): void {
    this.phase = 'stopped';
    for (const unsubscribe of this.subscriptions.splice(0)) unsubscribe();
    this.stopHeartbeat();
    this.options.clock.clearTimeout(this.rehelloTimer);
    this.haves.clear();
    this.connections.closeAll(undefined, 'agent stopped');
    for (const id of [...this.streams.keys()]) this.dropStream(id, 'stopped');
    this.backlog = [];
  }

  private assertRunning(what: string): void {
    if (this.phase !== 'running')
      throw new AgentError('state', `${what}() needs a started agent (${this.phase})`);
  }

  private acceptWelcome(welcome: Welcome, idChanged: boolean): void {
    this.currentWelcome = welcome;
    const factory = this.options.engine;
    if (typeof factory === 'function') {
      if (!this.currentEngine || idChanged) {
        this.currentEngine?.destroy?.();
        this.currentEngine = factory(welcome);
        this.events.emit('engine', this.currentEngine);
      }
    } else {
      this.currentEngine?.setNodeId?.(welcome.nodeId);
    }
    this.startHeartbeat();
    const backlog = this.backlog;
    this.backlog = [];
    for (const msg of backlog) this.onServerMessage(msg);
  }

  // --- coordinator → node ------------------------------------------------------------------

  private onServerMessage(msg: ServerMessage): void {
    if (this.phase === 'stopped' || this.phase === 'idle') return;
    if (!this.currentWelcome) {
      // Between a hello and its Welcome (processed after the ack's promise settles).
      if (this.backlog.length < MAX_BACKLOG) this.backlog.push(msg);
      return;
    }
    switch (msg.type) {
      case 'parents':
        return this.onParents(msg);
      case 'signal':
        return this.connections.handleSignal(msg.streamId, msg.from, msg.signal);
      case 'release':
        this.log('released from %s', msg.streamId);
        return this.dropStream(msg.streamId, 'released');
      case 'error':
        this.log('coordinator error: %s: %s', msg.error.code, msg.error.message);
        return this.events.emit('error', msg.error);
      default:
        return assertNever(msg, 'server message');
    }
  }

  private onParents(msg: Extract<ServerMessage, { type: 'parents' }>): void {
    const st = this.stream(msg.streamId);
    st.info = msg.stream;
    st.wanted = new Set(msg.parents.map((p) => p.id));
    this.log('parents for %s: [%s] origin=%s', msg.streamId, [...st.wanted].join(', '), msg.origin);
    this.setOrigin(msg.streamId, st, msg.origin);
    for (const edge of this.connections.list(msg.streamId)) {
      // A parent dropped before it connected never served anything: no need to keep it.
      if (edge.role === 'parent' && edge.state === 'connecting' && !st.wanted.has(edge.peerId)) {
        this.connections.close(msg.streamId, edge.peerId, 'no longer a parent');
      }
    }
    for (const parentId of st.wanted) {
      const edge = this.connections.get(msg.streamId, parentId);
      if (edge?.role === 'parent' && edge.state === 'connected') {
        // Idempotent confirmation, so a re-plan that keeps this edge sees it as connected.
        void this.post({ type: 'connected', streamId: msg.streamId, parentId });
      } else {
        this.connections.connectToParent(msg.streamId, parentId);
      }
    }
    this.retireOldParents(msg.streamId);
    this.events.emit('assignment', {
      streamId: msg.streamId,
      stream: msg.stream,
      parents: [...st.wanted],
      origin: msg.origin,
    });
  }

  /** Make-before-break: closes unlisted parents once no listed parent is still connecting. */
  private retireOldParents(streamId: StreamId): void {
    const st = this.streams.get(streamId);
    if (!st) return;
    const edges = this.connections.list(streamId).filter((e) => e.role === 'parent');
    if (edges.some((e) => e.state === 'connecting' && st.wanted.has(e.peerId))) return;
    for (const edge of edges) {
      if (!st.wanted.has(edge.peerId)) this.connections.close(streamId, edge.peerId, 'replaced');
    }
  }

  private setOrigin(streamId: StreamId, st: StreamState, allowed: boolean): void {
    if (st.origin === allowed) return;
    st.origin = allowed;
    this.events.emit('origin', streamId, allowed, st.info);
  }

  private dropStream(streamId: StreamId, reason: string): void {
    const st = this.streams.get(streamId);
    this.connections.closeAll(streamId, reason);
    this.haves.clear(streamId);
    if (!st) return;
    this.setOrigin(streamId, st, false);
    this.streams.delete(streamId);
    this.events.emit('release', streamId);
  }

  // --- links -------------------------------------------------------------------------------

  private onLinkOpen(info: ConnectionInfo, link: PeerLink): void {
    const st = this.streams.get(info.streamId);
    if (info.role === 'parent' && !st?.wanted.has(info.peerId)) {
      link.close();
      return;
    }
    const engine = this.currentEngine;
    if (!engine) {
      link.close();
      return;
    }
    if (info.role === 'child' && !st) this.stream(info.streamId);
    engine.addLink(info.streamId, link, info.role);
    this.events.emit('link', info, 'open');
    if (info.role === 'parent') {
      void this.post({ type: 'connected', streamId: info.streamId, parentId: info.peerId });
      this.retireOldParents(info.streamId);
    }
  }

  private onLinkLost(info: ConnectionInfo, reason: string): void {
    this.events.emit('link', info, 'close');
    const st = this.streams.get(info.streamId);
    if (info.role === 'parent' && st?.wanted.has(info.peerId)) {
      st.wanted.delete(info.peerId);
      void this.post({
        type: 'parent-failed',
        streamId: info.streamId,
        parentId: info.peerId,
        reason: clip(reason),
      });
    }
  }

  private onParentFailed(streamId: StreamId, parentId: NodeId, reason: string): void {
    const st = this.streams.get(streamId);
    if (!st?.wanted.has(parentId)) return;
    st.wanted.delete(parentId);
    void this.post({
      type: 'parent-failed',
      streamId,
      parentId,
      reason: clip(`could not connect: ${reason}`),
    });
    this.retireOldParents(streamId);
  }

  // --- heartbeats, table of contents, reconnects --------------------------------------------

  private startHeartbeat(): void {
    this.stopHeartbeat();
    const every = this.currentWelcome?.heartbeatMs;
    if (!every) return;
    const beat = (): void => {
      this.heartbeatTimer = this.options.clock.setTimeout(beat, every);
      const stats = this.collectStats();
      void this.post({ type: 'stats', stats });
      this.checkLoad(stats, every);
    };
    this.heartbeatTimer = this.options.clock.setTimeout(beat, every);
  }

  private stopHeartbeat(): void {
    this.options.clock.clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  /**
   * Feeds the heartbeat's upload counters to the {@link LoadWatch} and sends the `distribute` or
   * `consolidate` it calls for; the outcome is reported as a `load` event.
   */
  private checkLoad(stats: NodeStats, heartbeatMs: number): void {
    const marks = this.currentWelcome?.loadMarks;
    const hello = this.hello;
    if (!marks || !hello || hello.capacity.uploadKbps <= 0) return;
    this.loadWatch ??= new LoadWatch({
      windowMs: this.options.loadWindowMs ?? 3 * heartbeatMs,
      retryMs: this.options.loadRetryMs ?? 5 * heartbeatMs,
    });
    const streams = [...this.streams].filter(([, st]) => st.info !== undefined).map(([id]) => id);
    const request = this.loadWatch.sample(
      { at: this.options.clock.now(), uploadBytes: stats.uploadBytes, streams: stats.streams ?? [] },
      marks,
      hello.capacity.uploadKbps,
      streams,
      hello.role === 'relay',
    );
    if (request) void this.askLoad(request);
  }

  private async askLoad(request: LoadRequest): Promise<void> {
    if (this.phase !== 'running' || !this.signaling.connected) return;
    this.log('load %s: asking to %s in %s', request.load, request.type, request.streamId);
    try {
      const ack = await this.signaling.send({ ...request });
      this.events.emit('load', request, ack.changed);
    } catch (error) {
      this.log('%s failed: %O', request.type, error);
      this.events.emit('load', request, undefined);
    }
  }

  /** The heartbeat payload: the engine's counters plus the host's player figures. */
  collectStats(): NodeStats {
    const engine = this.currentEngine?.stats() ?? { httpBytes: 0, p2pBytes: 0, uploadBytes: 0, links: [] };
    const host = this.options.hostStats?.() ?? {};
    const stats: NodeStats = {
      httpBytes: count(engine.httpBytes),
      p2pBytes: count(engine.p2pBytes),
      uploadBytes: count(engine.uploadBytes),
      links: engine.links.slice(0, 256).map((l) => ({ ...l })),
    };
    if (engine.storeBytes !== undefined) stats.storeBytes = count(engine.storeBytes);
    if (engine.streams) {
      stats.streams = engine.streams.slice(0, 64).map((s) => ({
        streamId: s.streamId,
        httpBytes: count(s.httpBytes),
        p2pBytes: count(s.p2pBytes),
        uploadBytes: count(s.uploadBytes),
      }));
    }
    if (host.bufferSec !== undefined) stats.bufferSec = Math.max(0, host.bufferSec);
    if (host.startupMs !== undefined) stats.startupMs = Math.max(0, host.startupMs);
    if (host.stalls !== undefined) stats.stalls = count(host.stalls);
    return stats;
  }

  private sendHave(batch: HaveBatch): void {
    void this.post({ type: 'have', ...batch });
  }

  /** Reports everything the store holds for `streamId` (after a join or a reconnect). */
  private sendInventory(streamId: StreamId): void {
    if (!this.store) return;
    this.haves.clear(streamId);
    for (const batch of split(streamId, this.store.keys(streamId), [])) this.sendHave(batch);
  }

  private onDisconnect(reason: string): void {
    this.log('signalling down (%s); links stay up', reason);
    this.stopHeartbeat();
    this.haves.clear();
    this.events.emit('signaling', 'disconnected');
  }

  /** After a reconnect: hello again, rejoin joined streams, resend holdings. */
  private async rehello(): Promise<void> {
    if (this.phase !== 'running' || !this.hello) return;
    this.options.clock.clearTimeout(this.rehelloTimer);
    const previousId = this.currentWelcome?.nodeId ?? this.previousNodeId;
    this.previousNodeId = previousId;
    // Messages that follow the new Welcome wait in the backlog until it is processed.
    this.currentWelcome = undefined;
    try {
      const welcome = await this.signaling.send({ type: 'hello', protocol: 1, ...this.hello });
      if (this.phase !== 'running') return;
      const idChanged = welcome.nodeId !== previousId;
      if (idChanged) {
        // Peers and the coordinator knew us by the old id: every edge must be re-planned.
        this.connections.closeAll(undefined, 'node id changed');
        this.loadWatch?.reset();
        for (const [id, st] of this.streams) {
          if (st.joined) {
            st.wanted.clear();
            this.setOrigin(id, st, false);
          } else {
            this.dropStream(id, 'reconnected');
          }
        }
      }
      this.acceptWelcome(welcome, idChanged);
      for (const [id, st] of [...this.streams]) {
        if (st.joined) await this.rejoin(id);
        else this.sendInventory(id);
      }
      this.events.emit('signaling', 'reconnected');
    } catch (error) {
      if (this.phase !== 'running') return;
      this.log('hello after reconnect failed: %O', error);
      this.rehelloTimer = this.options.clock.setTimeout(
        () => void this.rehello(),
        this.options.rehelloRetryMs ?? 2_000,
      );
    }
  }

  private async rejoin(streamId: StreamId): Promise<void> {
    const { stream } = await this.signaling.send({ type: 'join', streamId });
    const st = this.streams.get(streamId);
    if (st) st.info = stream;
    this.sendInventory(streamId);
  }

  private stream(streamId: StreamId): StreamState {
    let st = this.streams.get(streamId);
    if (!st) {
      st = { info: undefined, joined: false, wanted: new Set(), origin: false };
      this.streams.set(streamId, st);
    }
    return st;
  }

  /**
   * Sends a message whose ack only matters for logging (signals, stats, have, confirmations);
   * settles (never rejects) once the coordinator answered or the send failed.
   */
  private post(msg: ClientMessage): Promise<void> {
    if (this.phase !== 'running' || !this.signaling.connected) return Promise.resolve();
    return this.signaling.send(msg).then(
      () => undefined,
      (error: unknown) => {
        this.log('%s failed: %O', msg.type, error);
        if (error instanceof AgentError && error.kind === 'refused') this.events.emit('error', error);
      },
    );
  }
}

/** Bound on messages queued while waiting for a Welcome. */
const MAX_BACKLOG = 1_000;

function count(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

function clip(reason: string): string {
  return reason.length > 200 ? `${reason.slice(0, 197)}...` : reason;
}
