import { z } from 'zod';
import { MAX_SEGMENT_BYTES, NodeIdSchema, SegmentRefSchema, StreamIdSchema } from './common.ts';
import { PeerMessageSchema, type PeerMessage } from './peer-wire.ts';
import { parseTextFrame, type Validated } from './validate.ts';

/**
 * Striped pulls (seed 002): a receiver pulls one stream from several sources at once; a pattern
 * such as `AABCC` says which source sends which block, every block travels tagged with its
 * sequence number in a binary block frame (kind 2), and the receiver reassembles them in order.
 *
 * A subscription (`sub`, chosen by the receiver, like a request id) is one striped pull of one
 * stream over one link. Its blocks are numbered in one sequence space: the receiver places
 * each segment at a `baseSeq` (block `i` of the segment is `baseSeq + i`), and patterns apply
 * to those numbers from their `startSeq`.
 *
 * These messages are additive: {@link PeerMessageSchema} is unchanged, and
 * {@link PeerWireMessageSchema} is the union of both for links that speak striping.
 */

/** A block sequence number (u32 in block frames). */
export const SeqSchema = z.number().int().min(0).max(0xffff_ffff);
/** A receiver-chosen subscription id (u32 in block frames). */
export const SubscriptionIdSchema = z.number().int().min(0).max(0xffff_ffff);
/** A pattern on the wire: one letter per slot, each letter one source, at most 1024 slots. */
export const PatternStringSchema = z
  .string()
  .regex(/^[A-Za-z0-9]{1,1024}$/, 'pattern: 1-1024 letters or digits');
/** One source's letter in a pattern. */
export const PatternLetterSchema = z.string().regex(/^[A-Za-z0-9]$/, 'letter: one letter or digit');

/** Smallest block size a subscription may use, bytes. */
export const STRIPE_MIN_BLOCK_BYTES = 1024;
/** Largest block size (one block per DataChannel message, well under every browser's limit). */
export const STRIPE_MAX_BLOCK_BYTES = 64 * 1024;
/** Block size receivers use unless they have a reason not to: 16 KiB. */
export const STRIPE_DEFAULT_BLOCK_BYTES = 16 * 1024;
/** Longest probe padding, characters: the probe's test block. */
export const PROBE_MAX_PAD_CHARS = 32 * 1024;

const BlockBytesSchema = z.number().int().min(STRIPE_MIN_BLOCK_BYTES).max(STRIPE_MAX_BLOCK_BYTES);
const SegmentSizeSchema = z.number().int().min(0).max(MAX_SEGMENT_BYTES);
/** `[from, to)`: a run of sequence numbers. */
const SeqRangeSchema = z
  .tuple([SeqSchema, SeqSchema])
  .refine(([from, to]) => from < to, 'range: from must be below to');

export const StripeMessageSchema = z.discriminatedUnion('type', [
  /**
   * Receiver → every source: from block `startSeq` on, send the blocks whose slot in `pattern`
   * is your `letter` (a pattern without it means: send none). A later `epoch` replaces an
   * earlier one from its own `startSeq`; an older or equal epoch is ignored. With `upstream`
   * the recipient is a routing relay (route mode): it obtains its blocks from that node.
   */
  z.strictObject({
    type: z.literal('pattern'),
    sub: SubscriptionIdSchema,
    streamId: StreamIdSchema,
    epoch: SeqSchema,
    startSeq: SeqSchema,
    pattern: PatternStringSchema,
    letter: PatternLetterSchema,
    upstream: NodeIdSchema.optional(),
  }),
  /**
   * Receiver → every source: segment `segment` occupies blocks from `baseSeq`, cut every
   * `blockBytes`; send your blocks of it as soon as you have them. `size`, when the receiver
   * knows it (from the signed manifest), lets sources check they hold the same bytes.
   */
  z.strictObject({
    type: z.literal('stripe-segment'),
    sub: SubscriptionIdSchema,
    segment: SegmentRefSchema,
    baseSeq: SeqSchema,
    blockBytes: BlockBytesSchema,
    size: SegmentSizeSchema.optional(),
  }),
  /** Source → receiver: it serves the segment at `baseSeq`, which is `size` bytes long. */
  z.strictObject({
    type: z.literal('stripe-have'),
    sub: SubscriptionIdSchema,
    baseSeq: SeqSchema,
    size: SegmentSizeSchema,
  }),
  /** Source → receiver: it cannot serve the segment at `baseSeq`; its blocks must come from elsewhere. */
  z.strictObject({
    type: z.literal('stripe-miss'),
    sub: SubscriptionIdSchema,
    baseSeq: SeqSchema,
    reason: z.enum(['not-found', 'busy', 'upstream-failed', 'bad-request', 'cancelled']),
  }),
  /**
   * Receiver → one source: send these blocks of the segment at `baseSeq` whatever the pattern
   * says (blocks a vanished or misbehaving source owed). Self-contained, so a source that
   * was not asked for the segment before can answer it.
   */
  z.strictObject({
    type: z.literal('block-request'),
    sub: SubscriptionIdSchema,
    segment: SegmentRefSchema,
    baseSeq: SeqSchema,
    blockBytes: BlockBytesSchema,
    ranges: z.array(SeqRangeSchema).min(1).max(256),
  }),
  /**
   * Receiver → source: stop sending blocks of the segment at `baseSeq` (the receiver has it from
   * elsewhere, or gave up on it); the subscription and its pattern stay.
   */
  z.strictObject({ type: z.literal('stripe-cancel'), sub: SubscriptionIdSchema, baseSeq: SeqSchema }),
  /** Receiver → source: the subscription is over; stop sending its blocks. */
  z.strictObject({ type: z.literal('stripe-close'), sub: SubscriptionIdSchema }),
  /** Receiver → source: a test block; answer with `probe-reply` echoing `pad`. */
  z.strictObject({
    type: z.literal('probe'),
    nonce: z.number().int().nonnegative(),
    pad: z.string().max(PROBE_MAX_PAD_CHARS),
  }),
  /** Source → receiver: the echo of a `probe`; its round trip weights the first pattern. */
  z.strictObject({
    type: z.literal('probe-reply'),
    nonce: z.number().int().nonnegative(),
    pad: z.string().max(PROBE_MAX_PAD_CHARS),
  }),
]);
export type StripeMessage = z.infer<typeof StripeMessageSchema>;
export type StripeMessageType = StripeMessage['type'];

/** Every text message of a link that speaks striping: the peer messages and the stripe ones. */
export const PeerWireMessageSchema = z.discriminatedUnion('type', [
  ...PeerMessageSchema.options,
  ...StripeMessageSchema.options,
]);
export type PeerWireMessage = PeerMessage | StripeMessage;

/** Parses a text DataChannel frame into a {@link StripeMessage}. */
export function parseStripeMessage(text: string): Validated<StripeMessage> {
  return parseTextFrame(StripeMessageSchema, text);
}

/** Parses a text DataChannel frame into a peer or stripe message. */
export function parsePeerWireMessage(text: string): Validated<PeerWireMessage> {
  return parseTextFrame(PeerWireMessageSchema, text);
}

export function encodeStripeMessage(msg: StripeMessage): string {
  return JSON.stringify(msg);
}
