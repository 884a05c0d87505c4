import { z } from 'zod';
import {
  NodeIdSchema,
  RegionSchema,
  SegmentKeySchema,
  SequenceNumberSchema,
  StreamIdSchema,
} from './common.ts';
import { MAX_TOC_HOLDERS, NodeRoleSchema } from './signaling.ts';

/**
 * The table of contents as the coordinator answers it: who can serve stream S from media
 * sequence number n, best first. Asked by nodes with the `toc-query` message (the answer is its
 * ack) and by operators with `GET /api/toc/:streamId?from=n`.
 */

/** Holders listed when the question does not say how many. */
export const DEFAULT_TOC_HOLDERS = 16;

/** One node that holds segment `from` of the stream. */
export const TocHolderSchema = z.strictObject({
  nodeId: NodeIdSchema,
  role: NodeRoleSchema,
  name: z.string().max(64),
  region: RegionSchema,
  /** It holds every segment from `from` through this one (so `through === from`: only `from`). */
  through: SequenceNumberSchema,
  /** Segments of the stream it holds in all (not only from `from` on). */
  segments: z.number().int().nonnegative(),
  /**
   * Its upload measured over the coordinator's throughput window, from the per-link `bytesOut`
   * of its heartbeats (kbit/s); 0 while `measuredMs` is 0.
   */
  upKbps: z.number().nonnegative(),
  /** How long the measurement covers (ms); 0 when the node has not reported long enough. */
  measuredMs: z.number().int().nonnegative(),
  /** The upload the node declared (kbit/s), as the planner budgets it. */
  capKbps: z.number().nonnegative(),
  /** `capKbps` minus `upKbps`, never negative: what it could still send. */
  spareKbps: z.number().nonnegative(),
  /** It is a member of the stream's tree (a relay activated there, or a viewer watching). */
  inTree: z.boolean(),
});
export type TocHolder = z.infer<typeof TocHolderSchema>;

/** The answer to "who can serve `streamId` from segment `from`". */
export const TocAnswerSchema = z.strictObject({
  streamId: StreamIdSchema,
  from: SequenceNumberSchema,
  /**
   * The keys that carry sequence number `from` (one per variant of a master playlist); empty
   * when the coordinator has not seen `from` in the stream's playlist.
   */
  keys: z.array(SegmentKeySchema).max(8),
  /** The sequence numbers the coordinator knows of the stream, or null before it read any. */
  indexed: z.strictObject({ first: SequenceNumberSchema, last: SequenceNumberSchema }).nullable(),
  /**
   * Holders of `from`, best first: most spare upload, then highest measured upload, then the
   * longest run from `from`, then node id. At most the limit asked for.
   */
  holders: z.array(TocHolderSchema).max(MAX_TOC_HOLDERS),
  /** Holders in all, before the limit. */
  total: z.number().int().nonnegative(),
});
export type TocAnswer = z.infer<typeof TocAnswerSchema>;
