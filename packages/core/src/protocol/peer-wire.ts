import { z } from 'zod';
import { MAX_SEGMENT_BYTES, NodeIdSchema, SegmentRefSchema } from './common.ts';

/**
 * What peers say to each other over a WebRTC DataChannel. Text frames carry JSON control
 * messages ({@link PeerMessage}); binary frames carry segment bytes ({@link DataFrame}).
 */

export const RequestIdSchema = z.number().int().min(0).max(0xffff_ffff);

export const PeerMessageSchema = z.discriminatedUnion('type', [
  /** First message on a new link: who I am. */
  z.strictObject({ type: z.literal('hello'), nodeId: NodeIdSchema }),
  /** Ask for a segment. The parent answers with `data-start` + binary frames, or `miss`. */
  z.strictObject({ type: z.literal('request'), id: RequestIdSchema, segment: SegmentRefSchema }),
  /** Abandon a request (the child got the segment elsewhere). */
  z.strictObject({ type: z.literal('cancel'), id: RequestIdSchema }),
  /** The segment follows in binary frames tagged with `id`, `size` bytes in all. */
  z.strictObject({
    type: z.literal('data-start'),
    id: RequestIdSchema,
    size: z.number().int().min(0).max(MAX_SEGMENT_BYTES),
  }),
  /** The parent cannot serve the request. */
  z.strictObject({
    type: z.literal('miss'),
    id: RequestIdSchema,
    reason: z.enum(['not-found', 'busy', 'upstream-failed', 'bad-request', 'cancelled']),
  }),
  z.strictObject({ type: z.literal('ping'), nonce: z.number().int().nonnegative() }),
  z.strictObject({ type: z.literal('pong'), nonce: z.number().int().nonnegative() }),
]);
export type PeerMessage = z.infer<typeof PeerMessageSchema>;
export type PeerMessageType = PeerMessage['type'];

/** Binary frame layout: `[kind:u8=1][id:u32be][offset:u32be][payload…]`. */
export const DATA_FRAME_KIND = 1;
export const DATA_FRAME_HEADER_BYTES = 9;
/** Payload bytes per binary frame; well under every browser's DataChannel message limit. */
export const DATA_FRAME_PAYLOAD_BYTES = 64 * 1024;

/** A decoded binary frame: `payload` belongs at `offset` of request `id`'s segment. */
export interface DataFrame {
  id: number;
  offset: number;
  payload: Uint8Array;
}
