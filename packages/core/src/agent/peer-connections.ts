import type { Clock, LinkRole, Logger, PeerLink, TimerHandle } from '../engine/types.ts';
import { PeerSignalSchema, type NodeId, type PeerSignal, type StreamId } from '../protocol/index.ts';
import { simplePeerLink, type IceServer, type PeerFactory, type SimplePeerLike } from './simple-peer-link.ts';

/** Lifecycle of one edge (one WebRTC connection per stream and peer). */
export type ConnectionState = 'connecting' | 'connected';

/** A read-only view of one edge. */
export interface ConnectionInfo {
  streamId: StreamId;
  peerId: NodeId;
  role: LinkRole;
  state: ConnectionState;
}

export interface PeerConnectionsOptions {
  clock: Clock;
  peerFactory: PeerFactory;
  /** ICE servers from the latest Welcome. */
  iceServers: () => readonly IceServer[];
  /** Relays a local signal to `to` through the coordinator. */
  sendSignal: (streamId: StreamId, to: NodeId, signal: PeerSignal) => void;
  /** A link opened; hand it to the engine. */
  onOpen: (info: ConnectionInfo, link: PeerLink) => void;
  /** Connecting to a parent failed `attempts` times in a row. */
  onParentFailed: (streamId: StreamId, peerId: NodeId, reason: string) => void;
  /** An open link closed (not called for links closed through this class). */
  onLost: (info: ConnectionInfo, reason: string) => void;
  /** Per attempt. */
  connectTimeoutMs: number;
  /** Attempts per parent before giving up (libdatachannel occasionally fails a negotiation). */
  attempts: number;
  /**
   * Pause before attempt n+1, times n, plus up to as much again at random: a failed negotiation
   * often failed for something happening at that moment, better not repeated in lockstep.
   */
  retryDelayMs: number;
  /** Upper bound on simultaneous edges, against signal floods. */
  maxConnections: number;
  decodeText?: (bytes: Uint8Array) => string;
  log: Logger;
}

interface Edge extends ConnectionInfo {
  peer: SimplePeerLike;
  attempt: number;
  timer: TimerHandle | undefined;
  link: PeerLink | undefined;
  /** Set once this class closed the edge, so late peer events are ignored. */
  dead: boolean;
  /** The attempt's signal session (see `SignalSessionSchema`); undefined for peers without one. */
  session: string | undefined;
}

/** Local candidates kept while waiting for our own description. */
const MAX_HELD_CANDIDATES = 32;

const edgeKey = (streamId: StreamId, peerId: NodeId): string => `${streamId}/${peerId}`;

/**
 * Owns the WebRTC connections of a node, one per (stream, peer): initiator connections to
 * parents (with retries) and answering connections from children, with signals routed through
 * the coordinator. Open links go to the engine via `onOpen`.
 */
export class PeerConnections {
  private readonly edges = new Map<string, Edge>();
  /** Parent connections waiting for their next attempt. */
  private readonly retries = new Map<string, { streamId: StreamId; peerId: NodeId; timer: TimerHandle }>();

  private sessions = 0;
  /** Random per instance, so sessions stay distinct across restarts of this node. */
  private readonly sessionPrefix = Math.random().toString(36).slice(2, 10);

  constructor(private readonly options: PeerConnectionsOptions) {}

  private newSession(): string {
    return `${this.sessionPrefix}-${(++this.sessions).toString(36)}`;
  }

  /** Opens (or keeps) an initiator connection to `peerId` as a parent in `streamId`. */
  connectToParent(streamId: StreamId, peerId: NodeId): void {
    if (this.retries.has(edgeKey(streamId, peerId))) return;
    const existing = this.edges.get(edgeKey(streamId, peerId));
    if (existing?.role === 'parent') return;
    if (existing) this.close(streamId, peerId, 'role changed');
    this.open(streamId, peerId, 'parent', 1);
  }

  /**
   * Routes a signal relayed from `from`. An offer opens a child edge (replacing an older attempt
   * of the same child); signals of another attempt than the edge's are stale and dropped.
   */
  handleSignal(streamId: StreamId, from: NodeId, signal: PeerSignal): void {
    const edge = this.edges.get(edgeKey(streamId, from));
    const session = sessionOf(signal);
    const bare = withoutSession(signal);
    if ('type' in bare && bare.type === 'offer') {
      if (edge?.role === 'parent') {
        this.options.log('ignoring an offer from %s, our parent in %s', from, streamId);
        return;
      }
      if (edge && session !== undefined && edge.session === session) return; // a duplicate
      // A fresh offer is a new attempt by the child: whatever we had with it is stale.
      if (edge) this.close(streamId, from, 'superseded by a new offer');
      if (this.edges.size >= this.options.maxConnections) {
        this.options.log('refusing offer from %s in %s: %d connections', from, streamId, this.edges.size);
        return;
      }
      this.feed(this.open(streamId, from, 'child', 1, session), bare);
      return;
    }
    if (!edge || (session !== undefined && edge.session !== undefined && session !== edge.session)) {
      this.options.log('ignoring a stale signal from %s in %s', from, streamId);
      return;
    }
    this.feed(edge, bare);
  }

  private feed(edge: Edge, signal: PeerSignal): void {
    try {
      edge.peer.signal(signal);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.options.log('signal from %s rejected: %s', edge.peerId, message);
    }
  }

  /** Closes one edge without reporting it as lost. */
  close(streamId: StreamId, peerId: NodeId, reason: string): void {
    this.cancelRetry(edgeKey(streamId, peerId));
    const edge = this.edges.get(edgeKey(streamId, peerId));
    if (edge) this.kill(edge, reason);
  }

  /** Closes every edge of `streamId` (or of every stream). */
  closeAll(streamId?: StreamId, reason = 'closed'): void {
    for (const [key, retry] of [...this.retries]) {
      if (streamId === undefined || retry.streamId === streamId) this.cancelRetry(key);
    }
    for (const edge of [...this.edges.values()]) {
      if (streamId === undefined || edge.streamId === streamId) this.kill(edge, reason);
    }
  }

  get(streamId: StreamId, peerId: NodeId): ConnectionInfo | undefined {
    return this.list(streamId).find((info) => info.peerId === peerId);
  }

  /** Every edge (parents between two attempts count as connecting), optionally of one stream. */
  list(streamId?: StreamId): ConnectionInfo[] {
    const waiting = [...this.retries.values()].map((r): ConnectionInfo => ({
      streamId: r.streamId,
      peerId: r.peerId,
      role: 'parent',
      state: 'connecting',
    }));
    return [...[...this.edges.values()].map(describe), ...waiting].filter(
      (e) => streamId === undefined || e.streamId === streamId,
    );
  }

  private cancelRetry(key: string): void {
    const retry = this.retries.get(key);
    if (!retry) return;
    this.options.clock.clearTimeout(retry.timer);
    this.retries.delete(key);
  }

  private open(
    streamId: StreamId,
    peerId: NodeId,
    role: LinkRole,
    attempt: number,
    session = role === 'parent' ? this.newSession() : undefined,
  ): Edge {
    const { clock, log } = this.options;
    const peer = this.options.peerFactory({
      initiator: role === 'parent',
      iceServers: this.options.iceServers(),
    });
    const edge: Edge = {
      streamId,
      peerId,
      role,
      state: 'connecting',
      peer,
      attempt,
      timer: undefined,
      link: undefined,
      dead: false,
      session,
    };
    this.edges.set(edgeKey(streamId, peerId), edge);
    log(
      '%s %s in %s: attempt %d',
      role === 'parent' ? 'connecting to parent' : 'answering child',
      peerId,
      streamId,
      attempt,
    );
    edge.timer = clock.setTimeout(
      () => this.failAttempt(edge, 'connect timeout'),
      this.options.connectTimeoutMs,
    );

    // Candidates are held until our offer or answer has gone out: libdatachannel trickles them
    // before the description, and a candidate reaching a parent before the child's offer would
    // be dropped (or fed to the previous attempt's connection).
    let described = false;
    const held: PeerSignal[] = [];
    peer.on('signal', (data: unknown) => {
      if (edge.dead) return;
      const parsed = PeerSignalSchema.safeParse(data);
      if (!parsed.success) {
        log('dropping a malformed local signal for %s', peerId);
        return;
      }
      const signal = withSession(parsed.data, edge.session);
      const isCandidate = 'type' in signal && signal.type === 'candidate';
      if (isCandidate && !described) {
        if (held.length < MAX_HELD_CANDIDATES) held.push(signal);
        return;
      }
      this.options.sendSignal(streamId, peerId, signal);
      if (!isCandidate && !described) {
        described = true;
        for (const candidate of held.splice(0)) this.options.sendSignal(streamId, peerId, candidate);
      }
    });
    peer.on('connect', () => this.onConnect(edge));
    peer.on('error', (error: Error) => {
      if (edge.state === 'connecting') this.failAttempt(edge, error.message);
    });
    peer.on('close', () => {
      if (edge.state === 'connecting') this.failAttempt(edge, 'closed while connecting');
    });
    return edge;
  }

  private onConnect(edge: Edge): void {
    if (edge.dead || edge.state !== 'connecting') return;
    this.options.clock.clearTimeout(edge.timer);
    edge.timer = undefined;
    edge.state = 'connected';
    const linkOptions = {
      log: this.options.log,
      ...(this.options.decodeText ? { decodeText: this.options.decodeText } : {}),
    };
    const link = simplePeerLink(edge.peer, edge.peerId, linkOptions);
    edge.link = link;
    link.onClose((reason) => {
      if (edge.dead) return;
      this.forget(edge);
      this.options.onLost(describe(edge), reason ?? 'closed');
    });
    this.options.log('connected to %s %s in %s', edge.role, edge.peerId, edge.streamId);
    this.options.onOpen(describe(edge), link);
  }

  private failAttempt(edge: Edge, reason: string): void {
    if (edge.dead || edge.state !== 'connecting') return;
    this.kill(edge, reason);
    this.options.log(
      '%s %s in %s: attempt %d failed: %s',
      edge.role,
      edge.peerId,
      edge.streamId,
      edge.attempt,
      reason,
    );
    if (edge.role !== 'parent') return; // the child retries on its side
    if (edge.attempt < this.options.attempts) {
      const { streamId, peerId, attempt } = edge;
      const key = edgeKey(streamId, peerId);
      const base = this.options.retryDelayMs * attempt;
      const timer = this.options.clock.setTimeout(
        () => {
          this.retries.delete(key);
          this.open(streamId, peerId, 'parent', attempt + 1);
        },
        base + Math.random() * base,
      );
      this.retries.set(key, { streamId, peerId, timer });
    } else {
      this.options.onParentFailed(edge.streamId, edge.peerId, reason);
    }
  }

  private kill(edge: Edge, reason: string): void {
    if (edge.dead) return;
    edge.dead = true;
    this.forget(edge);
    this.options.clock.clearTimeout(edge.timer);
    if (edge.link) {
      edge.link.close();
    } else {
      try {
        edge.peer.destroy();
      } catch (error) {
        this.options.log(
          'destroy %s failed: %s',
          edge.peerId,
          error instanceof Error ? error.message : error,
        );
      }
    }
    this.options.log('closed %s %s in %s: %s', edge.role, edge.peerId, edge.streamId, reason);
  }

  private forget(edge: Edge): void {
    const key = edgeKey(edge.streamId, edge.peerId);
    if (this.edges.get(key) === edge) this.edges.delete(key);
  }
}

function sessionOf(signal: PeerSignal): string | undefined {
  return 'session' in signal ? signal.session : undefined;
}

/** The signal as simple-peer takes it. */
function withoutSession(signal: PeerSignal): PeerSignal {
  if (!('session' in signal)) return signal;
  const { session: _session, ...bare } = signal;
  return bare;
}

/** Stamps offers, answers and candidates with the attempt's session. */
function withSession(signal: PeerSignal, session: string | undefined): PeerSignal {
  if (session === undefined || !('type' in signal)) return signal;
  return { ...signal, session };
}

function describe(edge: Edge): ConnectionInfo {
  return { streamId: edge.streamId, peerId: edge.peerId, role: edge.role, state: edge.state };
}
