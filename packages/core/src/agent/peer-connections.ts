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
}

const edgeKey = (streamId: StreamId, peerId: NodeId): string => `${streamId}/${peerId}`;

/**
 * Owns the WebRTC connections of a node, one per (stream, peer): initiator connections to
 * parents (with retries) and answering connections from children, with signals routed through
 * the coordinator. Open links go to the engine via `onOpen`.
 */
export class PeerConnections {
  private readonly edges = new Map<string, Edge>();

  constructor(private readonly options: PeerConnectionsOptions) {}

  /** Opens (or keeps) an initiator connection to `peerId` as a parent in `streamId`. */
  connectToParent(streamId: StreamId, peerId: NodeId): void {
    const existing = this.edges.get(edgeKey(streamId, peerId));
    if (existing?.role === 'parent') return;
    if (existing) this.close(streamId, peerId, 'role changed');
    this.open(streamId, peerId, 'parent', 1);
  }

  /** Routes a signal relayed from `from`; an offer from an unknown peer opens a child edge. */
  handleSignal(streamId: StreamId, from: NodeId, signal: PeerSignal): void {
    const key = edgeKey(streamId, from);
    const edge = this.edges.get(key);
    const isOffer = 'type' in signal && signal.type === 'offer';
    if (isOffer && edge?.role !== 'parent') {
      // A fresh offer is a new attempt by the child: whatever we had with it is stale.
      if (edge) this.close(streamId, from, 'superseded by a new offer');
      if (this.edges.size >= this.options.maxConnections) {
        this.options.log('refusing offer from %s in %s: %d connections', from, streamId, this.edges.size);
        return;
      }
      this.open(streamId, from, 'child', 1).peer.signal(signal);
      return;
    }
    if (!edge) {
      this.options.log('ignoring a stale signal from %s in %s', from, streamId);
      return;
    }
    try {
      edge.peer.signal(signal);
    } catch (error) {
      this.options.log('signal from %s rejected: %s', from, error instanceof Error ? error.message : error);
    }
  }

  /** Closes one edge without reporting it as lost. */
  close(streamId: StreamId, peerId: NodeId, reason: string): void {
    const edge = this.edges.get(edgeKey(streamId, peerId));
    if (edge) this.kill(edge, reason);
  }

  /** Closes every edge of `streamId` (or of every stream). */
  closeAll(streamId?: StreamId, reason = 'closed'): void {
    for (const edge of [...this.edges.values()]) {
      if (streamId === undefined || edge.streamId === streamId) this.kill(edge, reason);
    }
  }

  get(streamId: StreamId, peerId: NodeId): ConnectionInfo | undefined {
    const edge = this.edges.get(edgeKey(streamId, peerId));
    return edge && describe(edge);
  }

  /** Every edge, optionally of one stream. */
  list(streamId?: StreamId): ConnectionInfo[] {
    return [...this.edges.values()]
      .filter((e) => streamId === undefined || e.streamId === streamId)
      .map(describe);
  }

  private open(streamId: StreamId, peerId: NodeId, role: LinkRole, attempt: number): Edge {
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

    peer.on('signal', (data: unknown) => {
      if (edge.dead) return;
      const parsed = PeerSignalSchema.safeParse(data);
      if (!parsed.success) {
        log('dropping a malformed local signal for %s', peerId);
        return;
      }
      this.options.sendSignal(streamId, peerId, parsed.data);
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
      this.open(edge.streamId, edge.peerId, 'parent', edge.attempt + 1);
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

function describe(edge: Edge): ConnectionInfo {
  return { streamId: edge.streamId, peerId: edge.peerId, role: edge.role, state: edge.state };
}
