import { z } from 'zod';

/** Largest segment any peer will accept or serve (bytes). Larger segments go over HTTP only. */
export const MAX_SEGMENT_BYTES = 32 * 1024 * 1024;
/** Largest JSON control message accepted on a socket or DataChannel (characters). */
export const MAX_CONTROL_MESSAGE_CHARS = 64 * 1024;

/** Opaque id the coordinator gives each connected node (relay or viewer). */
export const NodeIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'node id: 1-64 letters, digits, "-" or "_"');
export type NodeId = z.infer<typeof NodeIdSchema>;

/** Stream ids are slugs so they can appear in URLs (`?stream=`) unescaped. */
export const StreamIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'stream id: a lowercase slug of 1-63 characters');
export type StreamId = z.infer<typeof StreamIdSchema>;

/** Id of a stream's origin as a pseudo-node in topologies: `origin:<streamId>`. */
export const OriginNodeIdSchema = z
  .string()
  .regex(/^origin:[a-z0-9][a-z0-9-]{0,62}$/, 'origin node id: "origin:" and a stream id');
export type OriginNodeId = `origin:${string}`;

/** The pseudo-node id of `streamId`'s origin. */
export function originNodeId(streamId: StreamId): OriginNodeId {
  return `origin:${streamId}`;
}

/** An Ed25519 public key (32 bytes) as 64 lowercase hex digits (a publisher's, see `manifest.ts`). */
export const PublicKeyHexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'public key: 64 lowercase hex digits');

/** Coarse location label used to keep paths short, e.g. `eu-west`. */
export const RegionSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'region: a lowercase slug of 1-32 characters');
export type Region = z.infer<typeof RegionSchema>;

/** An absolute http(s) URL of bounded length. */
export const HttpUrlSchema = z
  .string()
  .max(2048, 'URL longer than 2048 characters')
  .refine((s) => /^https?:\/\/[^\s]+$/i.test(s), 'must be an absolute http(s) URL');

/** Byte range of a segment inside a larger resource (EXT-X-BYTERANGE); `end` is exclusive. */
export const ByteRangeSchema = z
  .object({
    start: z.number().int().nonnegative(),
    end: z.number().int().positive(),
  })
  .refine((r) => r.end > r.start && r.end - r.start <= MAX_SEGMENT_BYTES, 'invalid byte range');
export type ByteRange = z.infer<typeof ByteRangeSchema>;

/**
 * Names one HLS segment (media or init) of a stream. The URL is the segment's absolute URL as it
 * appears in the playlist; every peer watching the same playlist derives the same reference.
 */
export const SegmentRefSchema = z.strictObject({
  streamId: StreamIdSchema,
  url: HttpUrlSchema,
  range: ByteRangeSchema.optional(),
});
export type SegmentRef = z.infer<typeof SegmentRefSchema>;

/** Canonical string key of a segment, used by stores and tables of contents. */
export const SegmentKeySchema = z.string().min(1).max(2100);
export type SegmentKey = string;

export function segmentKey(ref: SegmentRef): SegmentKey {
  return ref.range ? `${ref.url}#${ref.range.start}-${ref.range.end}` : ref.url;
}

/**
 * A media sequence number (`EXT-X-MEDIA-SEQUENCE` plus the segment's position in the playlist).
 * HLS allows up to 2^64 - 1; JSON numbers are exact only up to 2^53 - 1, which no real stream nears.
 */
export const SequenceNumberSchema = z
  .number()
  .int('a media sequence number is a whole number')
  .min(0, 'a media sequence number is not negative')
  .max(Number.MAX_SAFE_INTEGER, `a media sequence number is at most ${Number.MAX_SAFE_INTEGER}`);

/** What a node offers to the network. */
export const CapacitySchema = z.strictObject({
  /** Upload the node is willing to spend on relaying, in kbit/s. */
  uploadKbps: z.number().int().min(0).max(10_000_000),
  /** Bytes of segment cache. */
  cacheBytes: z
    .number()
    .int()
    .min(0)
    .max(1024 ** 4),
});
export type Capacity = z.infer<typeof CapacitySchema>;

/** Error codes sent to clients; each comes with a human sentence. */
export const ErrorCodeSchema = z.enum([
  'bad-request',
  'too-large',
  'not-registered',
  'already-registered',
  'unknown-stream',
  'unknown-peer',
  'forbidden',
  'unauthorized',
  'rate-limited',
  'conflict',
  'unavailable',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const ErrorBodySchema = z.strictObject({
  code: ErrorCodeSchema,
  message: z.string().max(1000),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
