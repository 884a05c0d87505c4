import type { Clock, LinkRole, Logger, PeerLink } from '../engine/types.ts';
import type { StoreListener } from '../store/segment-store.ts';
import type {
  ClientMessage,
  ErrorBody,
  LinkStats,
  NodeId,
  NodeStats,
  SegmentKey,
  StreamId,
  StreamCounters,
  StreamInfo,
  StripeFigures,
  Welcome,
} from '../protocol/index.ts';
import type { AgentError } from './errors.ts';
import type { LoadRequest } from './load-watch.ts';
import type { ConnectionInfo } from './peer-connections.ts';
import type { SignalingChannel } from './signaling-channel.ts';
import type { PeerFactory } from './simple-peer-link.ts';

/** The `hello` fields a host chooses (the agent adds `type` and `protocol`). */
export type HelloFields = Omit<Extract<ClientMessage, { type: 'hello' }>, 'type' | 'protocol'>;

/** Cumulative figures the engine reports for heartbeats. */
export interface EngineStats {
  httpBytes: number;
  p2pBytes: number;
  uploadBytes: number;
  links: readonly LinkStats[];
  storeBytes?: number | undefined;
  /** The same counters split per stream, when the engine keeps them. */
  streams?: readonly StreamCounters[] | undefined;
  /** Each striped pull's pattern and per-source share and rate, when the engine pulls striped. */
  stripes?: readonly StripeFigures[] | undefined;
}

/** What the agent needs from the peer engine (`PeerEngine` satisfies it). */
export interface AgentEngine {
  /** Hands an open link to the engine for one stream, on the given side of the edge. */
  addLink(streamId: StreamId, link: PeerLink, role: LinkRole): void;
  stats(): EngineStats;
  /** Called with each Welcome's node id before any link is handed over, when implemented. */
  setNodeId?(nodeId: NodeId): void;
  /** Called when the agent replaces an engine its {@link EngineFactory} built. */
  destroy?(): void;
  /** The parents the latest plan lists for a stream (the others are being replaced), when implemented. */
  setPlannedParents?(streamId: StreamId, parents: readonly NodeId[]): void;
}

/**
 * Builds the engine once the coordinator has assigned this node's id (the peer engine announces
 * it on every link). Called at the first Welcome, and again after a reconnect that brought a new
 * id (the previous engine is destroyed first; its links were already closed).
 */
export type EngineFactory = (welcome: Welcome) => AgentEngine;

/** What the agent needs from the segment store, for the table of contents. */
export interface AgentStore {
  subscribe(listener: StoreListener, streamId?: StreamId): () => void;
  keys(streamId: StreamId): SegmentKey[];
}

/** Player-only figures merged into each heartbeat. */
export type HostStats = Pick<NodeStats, 'bufferSec' | 'startupMs' | 'stalls'>;

export interface NodeAgentOptions {
  signaling: SignalingChannel;
  /** The engine, or a factory that builds it from the Welcome (use this for `PeerEngine`). */
  engine: AgentEngine | EngineFactory;
  /** Source of `have` messages; omit for a node that caches nothing. */
  store?: AgentStore;
  peerFactory: PeerFactory;
  clock: Clock;
  /** Extra heartbeat figures from the host (buffer, startup, stalls), read at each heartbeat. */
  hostStats?: () => HostStats;
  /** Per connection attempt. Default 15 s. */
  connectTimeoutMs?: number;
  /** Attempts per parent before `parent-failed`. Default 3. */
  connectAttempts?: number;
  /** Pause before attempt n+1 is n times this plus random jitter of as much again. Default 150 ms. */
  retryDelayMs?: number;
  /** How long store changes are batched before a `have`. Default 500 ms. */
  haveIntervalMs?: number;
  /** Delay before saying hello again after a failed re-hello. Default 2 s. */
  rehelloRetryMs?: number;
  /** Upload load is measured over this window (ms). Default three heartbeat intervals. */
  loadWindowMs?: number;
  /** A `distribute`/`consolidate` is repeated at most this often while the load stays past its mark (ms). Default five heartbeat intervals. */
  loadRetryMs?: number;
  /** Upper bound on simultaneous WebRTC connections. Default 128. */
  maxConnections?: number;
  /** UTF-8 decoder for text frames arriving as bytes (e.g. `TextDecoder`); a pure one by default. */
  decodeText?: (bytes: Uint8Array) => string;
  log?: Logger;
}

/** A node's assignment in one stream, as the last `parents` message described it. */
export interface StreamAssignment {
  streamId: StreamId;
  stream: StreamInfo;
  /** Parents the node should pull from (connected or not yet). */
  parents: NodeId[];
  /** Whether the node may (and should) fetch this stream from the origin itself. */
  origin: boolean;
}

/** Events a {@link NodeAgent} emits to its host. */
export interface NodeAgentEvents {
  [event: string]: (...args: never[]) => void;
  /** The coordinator (re)assigned this node's parents in a stream. */
  assignment: (assignment: StreamAssignment) => void;
  /** Permission to fetch `streamId` from the origin was granted or withdrawn. */
  origin: (streamId: StreamId, allowed: boolean, stream: StreamInfo | undefined) => void;
  /** The agent built (or rebuilt) the engine with its {@link EngineFactory}. */
  engine: (engine: AgentEngine) => void;
  /** A WebRTC link opened (and was handed to the engine) or closed. */
  link: (info: ConnectionInfo, event: 'open' | 'close') => void;
  /** The node no longer serves or watches `streamId` (`release` from the coordinator, or `leave`). */
  release: (streamId: StreamId) => void;
  /** Signalling went down or came back (after `reconnected` the node has a fresh Welcome). */
  signaling: (state: 'disconnected' | 'reconnected') => void;
  /**
   * The node asked to distribute or consolidate (its measured load crossed a mark); `changed`
   * is the coordinator's answer (`undefined`: refused or not answered).
   */
  load: (request: LoadRequest, changed: boolean | undefined) => void;
  /** The coordinator reported an error, or a background send failed. */
  error: (error: ErrorBody | AgentError) => void;
}
