import { randomBytes } from 'node:crypto';
import {
  TieredPlanner,
  type AckPayloads,
  type ClientMessage,
  type Clock,
  type NodeId,
  type PlanChanges,
  type StreamId,
  type StreamInfo,
  type TimerHandle,
  type TreePlanner,
  type Welcome,
} from '@p2pcdn/core';
import createDebug from 'debug';
import type { IceServer } from '../config.ts';
import { fromPlannerError, SignalingError } from '../errors.ts';
import { EventLog } from '../registry/event-log.ts';
import { FiguresBook } from '../registry/figures.ts';
import { NodeRegistry, type NodeLink, type NodeRecord } from '../registry/node-registry.ts';
import { StreamCatalog } from '../registry/stream-catalog.ts';
import { TableOfContents } from '../registry/toc.ts';
import { DEFAULT_THROUGHPUT_WINDOW_MS } from '../registry/traffic.ts';
import { Confirmations } from './confirmations.ts';
import { Forecasts } from './forecasts.ts';
import { handleMessage } from './handlers.ts';
import {
  DEFAULT_MISBEHAVIOUR_SETTINGS,
  MisbehaviourDesk,
  type MisbehaviourSettings,
} from './misbehaviour.ts';
import { PeerSession } from './peer-session.ts';
import { SequenceFeed, type PlaylistReader } from './sequence-feed.ts';
import { createPlanner, DEFAULT_PLANNER_CONFIG, type PlannerConfig } from './planner-config.ts';

const debug = createDebug('p2pcdn:signaling:coordinator');

/** Tunables of the domain layer. */
export interface CoordinatorSettings {
  heartbeatMs: number;
  leaveTimeoutMs: number;
  failedParentExclusionMs: number;
  iceServers: IceServer[];
  tocKeysPerNode: number;
  /** Window over which each node's upload is measured from its heartbeats (ms). */
  throughputWindowMs: number;
  eventLogSize: number;
  /** Refuse hellos beyond this many connected nodes. */
  maxNodes: number;
  /**
   * Upload the planner believes of a viewer at most (kbit/s): a tab claiming more would only
   * attract children it cannot serve.
   */
  maxViewerUploadKbps: number;
  /** The tree planner the coordinator builds (unless one is injected) and its settings. */
  planner: PlannerConfig;
  /** How reports of bad data are weighed (see {@link MisbehaviourDesk}). */
  misbehaviour: MisbehaviourSettings;
}

/** The settings a {@link Coordinator} uses where none are given. */
export const DEFAULT_SETTINGS: CoordinatorSettings = {
  heartbeatMs: 2000,
  leaveTimeoutMs: 4000,
  failedParentExclusionMs: 30_000,
  iceServers: [],
  tocKeysPerNode: 4096,
  throughputWindowMs: DEFAULT_THROUGHPUT_WINDOW_MS,
  eventLogSize: 500,
  maxNodes: 20_000,
  maxViewerUploadKbps: 100_000,
  planner: DEFAULT_PLANNER_CONFIG,
  misbehaviour: DEFAULT_MISBEHAVIOUR_SETTINGS,
};

/** What a {@link Coordinator} is built from; only the clock is required. */
export interface CoordinatorDeps {
  clock: Clock;
  settings?: Partial<CoordinatorSettings>;
  /** Default: the planner `settings.planner` names (the {@link TieredPlanner} unless configured). */
  planner?: TreePlanner;
  /** Default: 12 random base64url characters. */
  newNodeId?: () => NodeId;
  /**
   * Reads a stream's playlist, so table-of-contents questions by sequence number can be answered
   * (see {@link SequenceFeed}). Default: none; only what `sequences.index` is given is known.
   */
  readPlaylist?: PlaylistReader;
}

/** Payload of a successful ack, by message type. */
export type AckPayload = AckPayloads[keyof AckPayloads];

/** How a node left the network. */
export type Departure = 'dead' | 'disconnected' | 'left' | 'evicted';

/**
 * The coordinator's domain: connected nodes, registered streams, the plan, the table of contents
 * and the figures. It talks to nodes only through {@link NodeLink}s, so it runs the same behind
 * socket.io and in unit tests. Every refused request throws a {@link SignalingError} before it
 * changes anything.
 */
export class Coordinator {
  readonly nodes: NodeRegistry;
  readonly streams = new StreamCatalog();
  readonly figures = new FiguresBook();
  readonly toc: TableOfContents;
  readonly events: EventLog;
  readonly planner: TreePlanner;
  /** The planner, when it is the tiered one (grow, shrink, provision, farms). */
  readonly tiered: TieredPlanner | undefined;
  /** Audience forecasts per stream (fed by joins and leaves, ticked every period). */
  readonly forecasts: Forecasts;
  readonly settings: CoordinatorSettings;
  readonly clock: Clock;
  /** Nodes in the middle of a graceful leave. */
  readonly leaving = new Set<NodeId>();
  readonly confirmations: Confirmations;
  /** Reports of bad data, and evictions. */
  readonly misbehaviour: MisbehaviourDesk;
  /** Media sequence numbers of the streams' segment keys, read from their playlists. */
  readonly sequences: SequenceFeed;
  /** `stream\0child` → the parents the child confirmed it is connected to (one per stripe). */
  private readonly confirmedParents = new Map<string, Set<NodeId>>();
  private readonly newNodeId: () => NodeId;
  private sweepTimer: TimerHandle | undefined;

  constructor(deps: CoordinatorDeps) {
    this.clock = deps.clock;
    this.settings = { ...DEFAULT_SETTINGS, ...deps.settings };
    this.nodes = new NodeRegistry(this.settings.throughputWindowMs);
    this.planner =
      deps.planner ??
      createPlanner(this.settings.planner, () => this.clock.now(), this.settings.failedParentExclusionMs);
    this.tiered = this.planner instanceof TieredPlanner ? this.planner : undefined;
    this.forecasts = new Forecasts(this);
    this.newNodeId = deps.newNodeId ?? (() => randomBytes(9).toString('base64url'));
    this.toc = new TableOfContents(this.settings.tocKeysPerNode);
    this.events = new EventLog(this.clock, this.settings.eventLogSize);
    this.confirmations = new Confirmations(this.clock);
    this.misbehaviour = new MisbehaviourDesk(this, this.settings.misbehaviour);
    this.sequences = new SequenceFeed(this.clock, deps.readPlaylist);
  }

  /** A new connection; it becomes a node once it says hello. */
  openSession(link: NodeLink): PeerSession {
    return new PeerSession(this, link);
  }

  /** Starts the liveness sweep (every heartbeat interval) and the forecast periods. */
  start(): void {
    if (this.sweepTimer !== undefined) return;
    const tick = (): void => {
      this.sweep();
      // Keep the sequence numbers of streams whose segments nodes hold current (live playlists slide).
      this.sequences.tick(this.streams.all().filter((s) => this.toc.segmentCount(s.id) > 0));
      this.sweepTimer = this.clock.setTimeout(tick, this.settings.heartbeatMs);
    };
    this.sweepTimer = this.clock.setTimeout(tick, this.settings.heartbeatMs);
    this.forecasts.start();
  }

  stop(): void {
    this.clock.clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    this.forecasts.stop();
  }

  // ── streams ──────────────────────────────────────────────────────────────────────────────

  addStream(info: StreamInfo): void {
    if (this.streams.has(info.id)) {
      throw new SignalingError('already-registered', `stream ${info.id} is already registered`);
    }
    this.planner.addStream({ id: info.id, bitrateKbps: info.bitrateKbps });
    this.streams.set(info);
    this.forecasts.add(info.id);
    this.events.add({
      kind: 'stream',
      streamId: info.id,
      message: `stream ${info.id} registered (${info.bitrateKbps} kbit/s)`,
    });
  }

  /** Forgets a stream; every node in its tree is released. Returns false if it was unknown. */
  removeStream(id: StreamId): boolean {
    if (!this.streams.has(id)) return false;
    const changes = this.planner.removeStream(id);
    this.streams.delete(id);
    this.toc.dropStream(id);
    this.sequences.drop(id);
    this.figures.drop(id);
    this.forecasts.drop(id);
    for (const key of [...this.confirmedParents.keys()])
      if (key.startsWith(`${id}\u0000`)) this.confirmedParents.delete(key);
    this.apply(changes, `stream ${id} removed`);
    this.events.add({ kind: 'stream', streamId: id, message: `stream ${id} removed` });
    return true;
  }

  // ── nodes ────────────────────────────────────────────────────────────────────────────────

  /** Registers a node that said hello. */
  register(link: NodeLink, hello: Extract<ClientMessage, { type: 'hello' }>): Welcome {
    if (this.misbehaviour.isBanned(hello.role, hello.name)) {
      throw new SignalingError('forbidden', 'this relay was evicted for sending bad data; try again later');
    }
    if (this.nodes.size >= this.settings.maxNodes) {
      throw new SignalingError('unavailable', 'the coordinator is at its node limit; try again later');
    }
    let id = this.newNodeId();
    for (let i = 0; this.nodes.has(id) && i < 5; i++) id = this.newNodeId();
    if (this.nodes.has(id)) throw new SignalingError('internal', 'could not allocate a node id');
    const now = this.clock.now();
    const node = this.nodes.add({
      id,
      role: hello.role,
      agent: hello.agent,
      name: hello.name ?? `${hello.role}-${id.slice(0, 6)}`,
      region: hello.region,
      capacity: hello.capacity,
      link,
      connectedAt: now,
    });
    let changes: PlanChanges;
    try {
      const claimed = hello.capacity.uploadKbps;
      const uploadKbps =
        hello.role === 'viewer' ? Math.min(claimed, this.settings.maxViewerUploadKbps) : claimed;
      changes = this.planner.addNode({ id, role: hello.role, uploadKbps, region: hello.region });
    } catch (error) {
      this.nodes.remove(id);
      throw fromPlannerError(error);
    }
    this.events.add({
      kind: 'join',
      nodeId: id,
      message: `${node.role} ${node.name} connected (${node.agent}, ${node.region}, ${node.capacity.uploadKbps} kbit/s up)`,
    });
    this.apply(changes, `${node.name} arrived`);
    const welcome: Welcome = {
      nodeId: id,
      iceServers: this.settings.iceServers,
      heartbeatMs: this.settings.heartbeatMs,
    };
    if (this.tiered) {
      welcome.loadMarks = { high: this.settings.planner.highWater, low: this.settings.planner.lowWater };
    }
    return welcome;
  }

  /** Handles a message from a registered node (everything but hello). */
  handle(nodeId: NodeId, msg: ClientMessage): AckPayload | Promise<AckPayload> {
    const node = this.nodes.get(nodeId);
    if (!node)
      throw new SignalingError('not-registered', 'this node is no longer registered; say hello again');
    return handleMessage(this, node, msg);
  }

  /** Marks a node as alive now (after a message of it was accepted). */
  touch(node: NodeRecord): void {
    node.lastSeenAt = this.clock.now();
  }

  /** Takes a node out of every tree and forgets it; its children are re-parented. */
  removeNode(id: NodeId, why: Departure): void {
    const node = this.nodes.get(id);
    if (!node) return;
    const watched = this.planner.streamsOf(id).filter((s) => this.planner.member(s, id)?.watching);
    const changes = this.planner.removeNode(id);
    for (const streamId of watched) this.forecasts.recordLeave(streamId);
    this.nodes.remove(id);
    this.toc.dropNode(id);
    this.confirmations.dropNode(id);
    for (const [key, parents] of [...this.confirmedParents]) {
      parents.delete(id);
      if (parents.size === 0 || key.endsWith(`\u0000${id}`)) this.confirmedParents.delete(key);
    }
    const verb = {
      dead: 'missed its heartbeats',
      left: 'left',
      disconnected: 'disconnected',
      evicted: 'was evicted',
    }[why];
    this.events.add({
      kind: why === 'dead' ? 'dead' : why === 'evicted' ? 'misbehaviour' : 'leave',
      nodeId: id,
      message: `${node.role} ${node.name} ${verb}`,
    });
    this.apply(changes, `${node.name} ${verb}`);
  }

  /** Removes nodes silent for three heartbeat intervals. */
  sweep(): void {
    const deadline = this.clock.now() - 3 * this.settings.heartbeatMs;
    for (const node of this.nodes.all()) {
      if (node.lastSeenAt >= deadline) continue;
      debug('%s silent since %d: dead', node.id, node.lastSeenAt);
      this.removeNode(node.id, 'dead');
      node.link.close('no heartbeat for three intervals');
    }
  }

  // ── plan bookkeeping ─────────────────────────────────────────────────────────────────────

  /** Records that `child` confirmed `parent` in `streamId`. */
  confirmParent(streamId: StreamId, child: NodeId, parent: NodeId): void {
    const key = `${streamId}\u0000${child}`;
    let parents = this.confirmedParents.get(key);
    if (!parents) this.confirmedParents.set(key, (parents = new Set()));
    parents.add(parent);
    this.confirmations.confirm(streamId, child, parent);
  }

  /** Whether the planned edge `parent → child` has been confirmed by the child. */
  isConfirmed(streamId: StreamId, child: NodeId, parent: NodeId): boolean {
    return this.confirmedParents.get(`${streamId}\u0000${child}`)?.has(parent) ?? false;
  }

  /** Sends the messages a plan change calls for and logs it. `subject` is the node that caused it. */
  apply(changes: PlanChanges, cause: string, subject?: NodeId): void {
    const activated = new Set(changes.activated.map((r) => `${r.streamId}\u0000${r.nodeId}`));
    for (const a of changes.assignments) {
      const node = this.nodes.get(a.nodeId);
      const stream = this.streams.get(a.streamId);
      if (!node || !stream) continue;
      this.confirmedParents.delete(`${a.streamId}\u0000${a.nodeId}`);
      node.link.send({ type: 'parents', streamId: a.streamId, stream, parents: a.parents, origin: a.origin });
      const from = a.origin
        ? 'the origin'
        : a.parents.map((p) => this.nodes.get(p.id)?.name ?? p.id).join(', ');
      if (activated.has(`${a.streamId}\u0000${a.nodeId}`)) {
        this.events.add({
          kind: 'activate',
          streamId: a.streamId,
          nodeId: a.nodeId,
          message: `relay ${node.name} activated in ${a.streamId} at tier ${a.tier}, pulling from ${from}`,
        });
      } else if (a.nodeId !== subject) {
        this.events.add({
          kind: 'reparent',
          streamId: a.streamId,
          nodeId: a.nodeId,
          message: `${node.name} now pulls ${a.streamId} from ${from} (tier ${a.tier}): ${cause}`,
        });
      }
    }
    for (const r of changes.released) {
      const node = this.nodes.get(r.nodeId);
      this.confirmedParents.delete(`${r.streamId}\u0000${r.nodeId}`);
      if (!node) continue;
      const waits = this.movedAway(changes, r).map((e) =>
        this.confirmations.wait(r.streamId, e.to, e.from, this.settings.leaveTimeoutMs),
      );
      const release = (): void => {
        // Re-activated meanwhile (e.g. provisioned again): the new assignment stands.
        if (this.nodes.get(r.nodeId) !== node || this.planner.member(r.streamId, r.nodeId)) return;
        node.link.send({ type: 'release', streamId: r.streamId });
        this.events.add({
          kind: 'deactivate',
          streamId: r.streamId,
          nodeId: r.nodeId,
          message: `${node.role} ${node.name} released from ${r.streamId}: ${cause}`,
        });
      };
      if (waits.length === 0) release();
      else void Promise.all(waits).then(release);
    }
  }

  /**
   * Make before break for a consolidated relay: the new parents of the children it lost in this
   * change. It keeps serving them until each confirmed its new parent (or the leave timeout).
   */
  private movedAway(
    changes: PlanChanges,
    released: { streamId: StreamId; nodeId: NodeId },
  ): Array<{ to: NodeId; from: NodeId }> {
    const edges = changes.edges ?? [];
    const lost = new Set(
      edges
        .filter((e) => e.op === 'remove' && e.streamId === released.streamId && e.from === released.nodeId)
        .map((e) => e.to),
    );
    const out: Array<{ to: NodeId; from: NodeId }> = [];
    for (const e of edges) {
      if (e.op !== 'add' || e.streamId !== released.streamId || e.from === null || !lost.has(e.to)) continue;
      if (this.nodes.has(e.to)) out.push({ to: e.to, from: e.from });
    }
    return out;
  }
}
