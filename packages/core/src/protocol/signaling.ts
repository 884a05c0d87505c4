import { z } from 'zod';
import {
  CapacitySchema,
  ErrorBodySchema,
  NodeIdSchema,
  RegionSchema,
  SegmentKeySchema,
  SequenceNumberSchema,
  StreamIdSchema,
} from './common.ts';
import { StreamInfoSchema } from './stream.ts';
import type { TocAnswer } from './toc.ts';

/**
 * Messages between nodes (relays, viewer tabs, headless viewers) and the coordinator on the
 * `/peer` socket.io namespace. Every message travels as the single socket.io event `msg`; the
 * client side may pass an acknowledgement callback, answered with an {@link Ack}.
 */

export const NodeRoleSchema = z.enum(['relay', 'viewer']);
export type NodeRole = z.infer<typeof NodeRoleSchema>;

/**
 * Names one connection attempt between two nodes. The initiator stamps every signal of an attempt
 * with it and the answering side echoes it, so signals still in flight from an abandoned attempt
 * are recognised and dropped instead of being fed to its replacement.
 */
export const SignalSessionSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,32}$/, 'signal session: 1-32 id characters');

/** A simple-peer signal (offer/answer, trickled candidate, renegotiation), bounded in size. */
export const PeerSignalSchema = z.union([
  z.strictObject({
    type: z.enum(['offer', 'answer']),
    sdp: z.string().min(1).max(32_000),
    session: SignalSessionSchema.optional(),
  }),
  z.strictObject({
    type: z.literal('candidate'),
    session: SignalSessionSchema.optional(),
    candidate: z.strictObject({
      candidate: z.string().max(1000),
      sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
      sdpMid: z.string().max(64).nullable().optional(),
      usernameFragment: z.string().max(256).nullable().optional(),
    }),
  }),
  z.strictObject({ renegotiate: z.literal(true) }),
  z.strictObject({
    transceiverRequest: z.strictObject({ kind: z.string().max(16), init: z.unknown().optional() }),
  }),
]);
export type PeerSignal = z.infer<typeof PeerSignalSchema>;

/** Per-link counters a node reports with each heartbeat. */
export const LinkStatsSchema = z.strictObject({
  peerId: NodeIdSchema,
  /** Bytes received from this peer since the node started. */
  bytesIn: z.number().int().nonnegative(),
  /** Bytes sent to this peer since the node started. */
  bytesOut: z.number().int().nonnegative(),
  rttMs: z.number().nonnegative().max(600_000).optional(),
});
export type LinkStats = z.infer<typeof LinkStatsSchema>;

/** One source of a node's striped pull, as its heartbeat reports it. */
export const StripeSourceFiguresSchema = z.strictObject({
  peerId: NodeIdSchema,
  /** Its letter in the pattern (empty before the first pattern). */
  letter: z.string().regex(/^[A-Za-z0-9]?$/),
  /** Its share of the current pattern, 0–1. */
  share: z.number().min(0).max(1),
  /** Bytes per second it delivered in the last interval. */
  bytesPerSecond: z.number().nonnegative().max(1e10),
  /** Blocks it sent out of sequence so far (the document logs them). */
  outOfSequence: z.number().int().nonnegative(),
});
export type StripeSourceFigures = z.infer<typeof StripeSourceFiguresSchema>;

/** A node's striped pull of one stream: the current pattern and what each source delivers. */
export const StripeFiguresSchema = z.strictObject({
  streamId: StreamIdSchema,
  /** The pattern as on the wire (`AABCC…`), empty before the first. */
  pattern: z.string().regex(/^[A-Za-z0-9]{0,1024}$/),
  epoch: z.number().int().nonnegative().max(0xffff_ffff),
  sources: z.array(StripeSourceFiguresSchema).max(16),
});
export type StripeFigures = z.infer<typeof StripeFiguresSchema>;

/** Cumulative per-stream counters, so nodes serving several streams can be accounted per stream. */
export const StreamCountersSchema = z.strictObject({
  streamId: StreamIdSchema,
  httpBytes: z.number().int().nonnegative(),
  p2pBytes: z.number().int().nonnegative(),
  uploadBytes: z.number().int().nonnegative(),
});
export type StreamCounters = z.infer<typeof StreamCountersSchema>;

/** Heartbeat with the node's own figures; cumulative counters, the coordinator derives rates. */
export const NodeStatsSchema = z.strictObject({
  /** Segment bytes fetched over HTTP from the origin. */
  httpBytes: z.number().int().nonnegative(),
  /** Segment bytes received from peers. */
  p2pBytes: z.number().int().nonnegative(),
  /** Segment bytes uploaded to peers. */
  uploadBytes: z.number().int().nonnegative(),
  links: z.array(LinkStatsSchema).max(256),
  /** Player only: seconds of media buffered ahead of the playhead. */
  bufferSec: z.number().nonnegative().max(86_400).optional(),
  /** Player only: milliseconds from page start to first frame. */
  startupMs: z.number().nonnegative().max(3_600_000).optional(),
  /** Player only: number of stalls (playback waiting for data) so far. */
  stalls: z.number().int().nonnegative().optional(),
  /** Bytes currently held in the segment store. */
  storeBytes: z.number().int().nonnegative().optional(),
  /**
   * The same counters split per stream. Optional; without it the coordinator attributes the
   * node's counters to its stream only when it is in exactly one.
   */
  streams: z.array(StreamCountersSchema).max(64).optional(),
  /** Striped pulls: per stream, the current pattern and each source's share and rate. */
  stripes: z.array(StripeFiguresSchema).max(16).optional(),
});
export type NodeStats = z.infer<typeof NodeStatsSchema>;

export const HelloMessageSchema = z.strictObject({
  type: z.literal('hello'),
  role: NodeRoleSchema,
  /** Display name, e.g. the relay's host name. */
  name: z.string().min(1).max(64).optional(),
  region: RegionSchema,
  capacity: CapacitySchema,
  /** `browser` for tabs, `node` for workers and headless viewers. */
  agent: z.enum(['browser', 'node']),
  /** Protocol version the client speaks. */
  protocol: z.literal(1),
});

/** Most holders one table-of-contents answer lists (`toc-query`'s `limit`). */
export const MAX_TOC_HOLDERS = 64;

export const ClientMessageSchema = z.discriminatedUnion('type', [
  HelloMessageSchema,
  /** A viewer asks to watch a stream; the coordinator answers with the stream and then `parents`. */
  z.strictObject({ type: z.literal('join'), streamId: StreamIdSchema }),
  /** The node stops watching/serving a stream (or every stream when omitted) after its children moved. */
  z.strictObject({ type: z.literal('leave'), streamId: StreamIdSchema.optional() }),
  /** WebRTC signalling for the edge between this node and `to` in stream `streamId`'s tree. */
  z.strictObject({
    type: z.literal('signal'),
    to: NodeIdSchema,
    streamId: StreamIdSchema,
    signal: PeerSignalSchema,
  }),
  /** Table of contents: segments this node now holds (`added`) or dropped (`removed`). */
  z.strictObject({
    type: z.literal('have'),
    streamId: StreamIdSchema,
    added: z.array(SegmentKeySchema).max(512),
    removed: z.array(SegmentKeySchema).max(512),
  }),
  /**
   * Table of contents: who can serve `streamId` from media sequence number `from`, with their
   * measured throughput, best first (at most `limit`, default 16). Answered in the ack as
   * `{toc: TocAnswer}`. A viewer may ask only about a stream it watches.
   */
  z.strictObject({
    type: z.literal('toc-query'),
    streamId: StreamIdSchema,
    from: SequenceNumberSchema,
    limit: z.number().int().min(1).max(MAX_TOC_HOLDERS).optional(),
  }),
  /** Heartbeat with figures. */
  z.strictObject({ type: z.literal('stats'), stats: NodeStatsSchema }),
  /** The node connected to a parent it was assigned (make-before-break confirmation). */
  z.strictObject({ type: z.literal('connected'), streamId: StreamIdSchema, parentId: NodeIdSchema }),
  /** The node could not reach (or lost) an assigned parent. */
  z.strictObject({
    type: z.literal('parent-failed'),
    streamId: StreamIdSchema,
    parentId: NodeIdSchema,
    reason: z.string().max(200),
  }),
  /**
   * The node's measured upload load in `streamId` crossed its high-water mark: it asks the
   * coordinator to move part of its children to another (possibly newly activated) relay.
   * `load` is the measured upload ÷ the upload capacity the node declared (1 = full).
   */
  z.strictObject({
    type: z.literal('distribute'),
    streamId: StreamIdSchema,
    load: z.number().min(0).max(100),
  }),
  /**
   * The relay's measured upload load in `streamId` fell to its low-water mark: it asks to be
   * consolidated away (its children move to other relays first, then it is released).
   */
  z.strictObject({
    type: z.literal('consolidate'),
    streamId: StreamIdSchema,
    load: z.number().min(0).max(100),
  }),
  /**
   * The node received data from `peerId` that failed verification against the stream's signed
   * manifest (and dropped it). The coordinator weighs reports from several reporters before it
   * acts: one accuser alone never evicts anybody.
   */
  z.strictObject({
    type: z.literal('misbehaviour'),
    streamId: StreamIdSchema,
    peerId: NodeIdSchema,
    /**
     * `bad-segment`: a whole segment from this peer alone failed its hash; `bad-block`: a block
     * failed its per-block hash; `suspect-segment`: a striped segment failed and this peer was
     * one of several senders.
     */
    offence: z.enum(['bad-segment', 'bad-block', 'suspect-segment']),
    /** The segment that failed. */
    segment: SegmentKeySchema.optional(),
  }),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;
export type ClientMessageType = ClientMessage['type'];

/** One parent assignment: the peer to pull from, or the origin itself. */
export const ParentSchema = z.strictObject({
  id: NodeIdSchema,
  role: NodeRoleSchema,
});
export type Parent = z.infer<typeof ParentSchema>;

export const ServerMessageSchema = z.discriminatedUnion('type', [
  /**
   * The complete set of parents this node should pull `streamId` from, replacing the previous set.
   * The node connects to new parents first and only then drops the ones no longer listed
   * (make-before-break). `origin: true` allows (and asks) the node to fetch from the origin itself.
   */
  z.strictObject({
    type: z.literal('parents'),
    streamId: StreamIdSchema,
    stream: StreamInfoSchema,
    parents: z.array(ParentSchema).max(16),
    origin: z.boolean(),
  }),
  /** Relayed WebRTC signalling from `from`. */
  z.strictObject({
    type: z.literal('signal'),
    from: NodeIdSchema,
    streamId: StreamIdSchema,
    signal: PeerSignalSchema,
  }),
  /** The node no longer serves `streamId`: drop its links for that stream. */
  z.strictObject({ type: z.literal('release'), streamId: StreamIdSchema }),
  /** Something the node sent was refused (for messages sent without an ack). */
  z.strictObject({ type: z.literal('error'), error: ErrorBodySchema }),
]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;
export type ServerMessageType = ServerMessage['type'];

/** Answer to `hello`. */
export const WelcomeSchema = z.strictObject({
  nodeId: NodeIdSchema,
  /** ICE servers clients must use (empty for loopback/LAN deployments). */
  iceServers: z
    .array(
      z.strictObject({
        urls: z.union([z.string().max(512), z.array(z.string().max(512)).max(8)]),
        username: z.string().max(256).optional(),
        credential: z.string().max(256).optional(),
      }),
    )
    .max(8),
  /** How often the node should send `stats`; missing three in a row counts as dead. */
  heartbeatMs: z.number().int().positive(),
  /**
   * The coordinator's load marks (measured upload ÷ declared upload capacity): at or above
   * `high` a node sends `distribute`, at or below `low` a relay sends `consolidate`. Absent when
   * the coordinator's planner does not grow or shrink on request.
   */
  loadMarks: z
    .strictObject({ high: z.number().min(0).max(1), low: z.number().min(0).max(1) })
    .refine((m) => m.low < m.high, 'the low mark must be below the high mark')
    .optional(),
});
export type Welcome = z.infer<typeof WelcomeSchema>;

/** Acknowledgement for any client message sent with a callback. */
export type Ack<T = Record<string, never>> =
  ({ ok: true } & T) | { ok: false; error: z.infer<typeof ErrorBodySchema> };

/** Ack payloads by message type. */
export interface AckPayloads {
  hello: Welcome;
  join: { stream: z.infer<typeof StreamInfoSchema> };
  leave: Record<string, never>;
  signal: Record<string, never>;
  have: Record<string, never>;
  'toc-query': { toc: TocAnswer };
  stats: Record<string, never>;
  connected: Record<string, never>;
  'parent-failed': Record<string, never>;
  misbehaviour: Record<string, never>;
  /** `changed`: the coordinator re-planned; false when it declined (e.g. nowhere to move to). */
  distribute: { changed: boolean };
  consolidate: { changed: boolean };
}

/** socket.io event map of the `/peer` namespace, client → server. */
export interface PeerClientToServerEvents {
  msg: (msg: ClientMessage, ack?: (res: Ack<Record<string, unknown>>) => void) => void;
}
/** socket.io event map of the `/peer` namespace, server → client. */
export interface PeerServerToClientEvents {
  msg: (msg: ServerMessage) => void;
}
