import { z } from 'zod';
import { CapacitySchema, NodeIdSchema, OriginNodeIdSchema, RegionSchema, StreamIdSchema } from './common.ts';
import { NodeRoleSchema } from './signaling.ts';
import { StreamInfoSchema } from './stream.ts';

/**
 * The `/admin` namespace (operator token required in the handshake's `auth.token`): the
 * coordinator pushes a full {@link AdminSnapshot} about once a second.
 */

export const TopologyNodeSchema = z.strictObject({
  /** A node id, or `origin:<streamId>` for a stream's origin (role `origin`, agent `http`). */
  id: z.union([NodeIdSchema, OriginNodeIdSchema]),
  role: z.union([NodeRoleSchema, z.literal('origin')]),
  name: z.string().max(64),
  region: RegionSchema.optional(),
  agent: z.enum(['browser', 'node', 'http']),
  capacity: CapacitySchema.optional(),
  /** Streams this node serves or watches. */
  streams: z.array(StreamIdSchema),
  connectedAt: z.number().int().nonnegative(),
  lastSeenAt: z.number().int().nonnegative(),
  /** Cumulative counters from the last heartbeat. */
  httpBytes: z.number().int().nonnegative(),
  p2pBytes: z.number().int().nonnegative(),
  uploadBytes: z.number().int().nonnegative(),
  /** Rates over the last heartbeat interval, kbit/s. */
  downKbps: z.number().nonnegative(),
  upKbps: z.number().nonnegative(),
  bufferSec: z.number().nonnegative().optional(),
  startupMs: z.number().nonnegative().optional(),
  stalls: z.number().int().nonnegative().optional(),
  storeBytes: z.number().int().nonnegative().optional(),
});
export type TopologyNode = z.infer<typeof TopologyNodeSchema>;

export const TopologyEdgeSchema = z.strictObject({
  streamId: StreamIdSchema,
  /** Parent node id, or the origin pseudo-node `origin:<streamId>`. */
  from: z.string().max(128),
  to: NodeIdSchema,
  /** `planned` until the child confirms the WebRTC link. */
  state: z.enum(['planned', 'connected']),
  /** Throughput parent → child over the last interval, kbit/s. */
  kbps: z.number().nonnegative(),
  /** The stripe the edge carries, in striped plans (0-based). */
  stripe: z.number().int().min(0).max(15).optional(),
});
export type TopologyEdge = z.infer<typeof TopologyEdgeSchema>;

export const StreamFiguresSchema = z.strictObject({
  streamId: StreamIdSchema,
  viewers: z.number().int().nonnegative(),
  relays: z.number().int().nonnegative(),
  /** Segment bytes viewers and relays received from peers. */
  p2pBytes: z.number().int().nonnegative(),
  /** Segment bytes viewers and relays fetched from the origin over HTTP (as they report it). */
  httpBytes: z.number().int().nonnegative(),
  /** p2pBytes ÷ (p2pBytes + httpBytes) of viewers only, 0..1. */
  p2pShare: z.number().min(0).max(1),
  /** Origin egress over the last interval, kbit/s (reported by peers). */
  originKbps: z.number().nonnegative(),
  /** Bytes the origin itself counted, when the origin reports it (the demo origin does). */
  originMeasuredBytes: z.number().int().nonnegative().optional(),
});
export type StreamFigures = z.infer<typeof StreamFiguresSchema>;

/** Most pattern letters a snapshot carries per pull (patterns may be up to 1 024 long). */
export const SNAPSHOT_PATTERN_LETTERS = 64;

/** One source of a node's striped pull, as the admin snapshot shows it. */
export const PullSourceSchema = z.strictObject({
  peerId: NodeIdSchema,
  /** Its letter in the pattern (empty before the first pattern). */
  letter: z.string().regex(/^[A-Za-z0-9]?$/),
  /** Its share of the current pattern, 0–1. */
  share: z.number().min(0).max(1),
  /** What it delivered over the node's last interval, kbit/s. */
  kbps: z.number().nonnegative().max(1e8),
  /** Blocks it sent out of sequence so far. */
  outOfSequence: z.number().int().nonnegative(),
});
export type PullSource = z.infer<typeof PullSourceSchema>;

/**
 * A node's striped pull of one stream, from its latest heartbeat: the pattern (its first
 * {@link SNAPSHOT_PATTERN_LETTERS} letters, so a 2 000-node snapshot stays small) and each source.
 */
export const StripedPullSchema = z.strictObject({
  /** The pattern's first letters (`AABCC…`), empty before the first pattern. */
  pattern: z.string().regex(new RegExp(`^[A-Za-z0-9]{0,${SNAPSHOT_PATTERN_LETTERS}}$`)),
  /** Length of the whole pattern (more than `pattern.length` when it was cut). */
  patternLength: z.number().int().nonnegative().max(1024),
  /** The pattern's epoch (bumped on every new pattern). */
  epoch: z.number().int().nonnegative().max(0xffff_ffff),
  sources: z.array(PullSourceSchema).max(16),
  /** When the coordinator received the heartbeat (its clock, ms). */
  reportedAt: z.number().int().nonnegative(),
});
export type StripedPull = z.infer<typeof StripedPullSchema>;

/**
 * A node's place in one stream's tree (its forest, when striped): the tier counted from the origin
 * (1 = fed by the origin), the farm it belongs to when its tier is a farm of relays, and its load.
 */
export const TreeMemberSchema = z.strictObject({
  streamId: StreamIdSchema,
  nodeId: NodeIdSchema,
  /** 1 for nodes fed by the origin, parent's tier + 1 below (the deepest stripe when striped). */
  tier: z.number().int().min(1).max(64),
  /** Viewers watch the stream; relays only serve it. */
  watching: z.boolean(),
  /** The farm (relays of one tier and region sharing new viewers), e.g. `t2:eu-west`. */
  farm: z.string().min(1).max(64).optional(),
  /** Children's cost ÷ upload capacity, over every stream the node serves (1 = full). */
  load: z.number().nonnegative(),
  /** Stripes the node is in (viewers: all of them; relays: those they serve). */
  stripes: z.array(z.number().int().min(0).max(15)).max(16).optional(),
  /** The node's striped pull of this stream, as its latest heartbeat reported it. */
  pull: StripedPullSchema.optional(),
});
export type TreeMember = z.infer<typeof TreeMemberSchema>;

/** One period of a stream's audience: what happened and what the forecaster expected. */
export const ForecastPointSchema = z.strictObject({
  /** End of the period (coordinator clock, ms). */
  at: z.number().int().nonnegative(),
  /** Viewers watching at the end of the period. */
  viewers: z.number().int().nonnegative(),
  /** Viewers the forecaster expected for this moment, one horizon earlier. */
  forecastViewers: z.number().nonnegative(),
  /** Logons and logoffs per second in the period, and their Holt forecasts. */
  logonRate: z.number().nonnegative(),
  logoffRate: z.number().nonnegative(),
  forecastLogonRate: z.number().nonnegative(),
  forecastLogoffRate: z.number().nonnegative(),
  /** Relays serving the stream at the end of the period. */
  activeRelays: z.number().int().nonnegative(),
});
export type ForecastPoint = z.infer<typeof ForecastPointSchema>;

/** The recent forecast history of one stream, oldest first. */
export const StreamForecastSchema = z.strictObject({
  streamId: StreamIdSchema,
  periodMs: z.number().int().positive(),
  points: z.array(ForecastPointSchema).max(3600),
});
export type StreamForecast = z.infer<typeof StreamForecastSchema>;

/** The tree planner's settings, as the operator configured them. */
export const PlannerSettingsSchema = z.strictObject({
  planner: z.enum(['skeleton', 'tiered']),
  highWater: z.number().min(0).max(1),
  lowWater: z.number().min(0).max(1),
  farmPolicy: z.enum(['least-load', 'round-robin']),
  stripes: z.number().int().min(1).max(16),
  forecast: z.boolean(),
});
export type PlannerSettings = z.infer<typeof PlannerSettingsSchema>;

export const AdminEventSchema = z.strictObject({
  at: z.number().int().nonnegative(),
  kind: z.enum([
    'join',
    'leave',
    'activate',
    'deactivate',
    'reparent',
    'dead',
    'refused',
    'stream',
    'distribute',
    'consolidate',
    'provision',
    /** A node reported a peer for data that failed verification, or a node was evicted for it. */
    'misbehaviour',
  ]),
  streamId: StreamIdSchema.optional(),
  nodeId: NodeIdSchema.optional(),
  message: z.string().max(500),
});
export type AdminEvent = z.infer<typeof AdminEventSchema>;

export const AdminSnapshotSchema = z.strictObject({
  at: z.number().int().nonnegative(),
  streams: z.array(StreamInfoSchema),
  nodes: z.array(TopologyNodeSchema),
  edges: z.array(TopologyEdgeSchema),
  figures: z.array(StreamFiguresSchema),
  /** Most recent events, newest last. */
  events: z.array(AdminEventSchema),
  /** Every node's place in every stream tree (tiers, farms, load). */
  members: z.array(TreeMemberSchema).optional(),
  /** Forecast against actual audience, per stream. */
  forecasts: z.array(StreamForecastSchema).optional(),
  planner: PlannerSettingsSchema.optional(),
});
export type AdminSnapshot = z.infer<typeof AdminSnapshotSchema>;

/** socket.io event map of the `/admin` namespace, server → client. */
export interface AdminServerToClientEvents {
  snapshot: (snapshot: AdminSnapshot) => void;
}
/** socket.io event map of the `/admin` namespace, client → server (none yet). */
export type AdminClientToServerEvents = Record<string, never>;
