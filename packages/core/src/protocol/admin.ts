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

export const AdminEventSchema = z.strictObject({
  at: z.number().int().nonnegative(),
  kind: z.enum(['join', 'leave', 'activate', 'deactivate', 'reparent', 'dead', 'refused', 'stream']),
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
});
export type AdminSnapshot = z.infer<typeof AdminSnapshotSchema>;

/** socket.io event map of the `/admin` namespace, server → client. */
export interface AdminServerToClientEvents {
  snapshot: (snapshot: AdminSnapshot) => void;
}
/** socket.io event map of the `/admin` namespace, client → server (none yet). */
export type AdminClientToServerEvents = Record<string, never>;
