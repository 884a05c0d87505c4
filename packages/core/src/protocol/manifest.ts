import { z } from 'zod';
import { MAX_SEGMENT_BYTES, PublicKeyHexSchema, SegmentKeySchema, StreamIdSchema } from './common.ts';
import { STRIPE_MAX_BLOCK_BYTES, STRIPE_MIN_BLOCK_BYTES } from './stripe.ts';

/**
 * Signed segment manifests: the publisher lists each segment's size and SHA-256 and signs the
 * list with its Ed25519 key; every node checks a segment against it before playing or
 * forwarding it. Served over HTTP (next to the playlist) or by the coordinator.
 */

/** A SHA-256 digest as 64 lowercase hex digits. */
export const Sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'sha256: 64 lowercase hex digits');
/** An Ed25519 signature (64 bytes) as 128 lowercase hex digits. */
export const SignatureHexSchema = z.string().regex(/^[0-9a-f]{128}$/, 'signature: 128 lowercase hex digits');
/** A key id: the first 8 bytes of the SHA-256 of the public key, 16 lowercase hex digits. */
export const KeyIdSchema = z.string().regex(/^[0-9a-f]{16}$/, 'key id: 16 lowercase hex digits');

/** Hex digits per block hash: the first 64 bits of the block's SHA-256. */
export const BLOCK_HASH_HEX_DIGITS = 16;
/** Most entries one manifest may list. */
export const MAX_MANIFEST_ENTRIES = 20_000;
/** Longest signed payload, characters. */
export const MAX_MANIFEST_CHARS = 8 * 1024 * 1024;

/**
 * Per-block hashes of a segment cut every `bytes` (the striping block size): they let a receiver
 * blame the one source that sent a bad block instead of every source of the segment. Truncated
 * to 64 bits: forging one takes ~2^64 hashes, and the full segment hash is still checked.
 */
export const BlockHashesSchema = z.strictObject({
  bytes: z.number().int().min(STRIPE_MIN_BLOCK_BYTES).max(STRIPE_MAX_BLOCK_BYTES),
  /** The blocks' truncated hashes, concatenated in block order. */
  hashes: z.string().regex(/^[0-9a-f]*$/, 'hashes: lowercase hex digits'),
});
export type BlockHashes = z.infer<typeof BlockHashesSchema>;

/** One segment in a manifest. */
export const ManifestEntrySchema = z
  .strictObject({
    /** The segment's key (`segmentKey(ref)`: its absolute URL, with `#start-end` for a byte range). */
    key: SegmentKeySchema,
    /** Media sequence number in the playlist, when the publisher knows it. */
    sequence: z.number().int().nonnegative().optional(),
    size: z.number().int().min(0).max(MAX_SEGMENT_BYTES),
    sha256: Sha256HexSchema,
    blocks: BlockHashesSchema.optional(),
  })
  .refine(
    (e) => !e.blocks || e.blocks.hashes.length === Math.ceil(e.size / e.blocks.bytes) * BLOCK_HASH_HEX_DIGITS,
    { message: 'one 16-digit hash per block', path: ['blocks', 'hashes'] },
  );
export type ManifestEntry = z.infer<typeof ManifestEntrySchema>;

/** What the publisher signs: the segments of one stream it vouches for. */
export const SegmentManifestSchema = z
  .strictObject({
    version: z.literal(1),
    streamId: StreamIdSchema,
    /** Revision: a live stream publishes a new manifest per playlist update; higher wins. */
    seq: z.number().int().min(0).max(0xffff_ffff),
    /** When it was signed, ms since the epoch. */
    issuedAt: z.number().int().nonnegative(),
    entries: z.array(ManifestEntrySchema).max(MAX_MANIFEST_ENTRIES),
  })
  .refine((m) => new Set(m.entries.map((e) => e.key)).size === m.entries.length, {
    message: 'each key at most once',
    path: ['entries'],
  });
export type SegmentManifest = z.infer<typeof SegmentManifestSchema>;

/**
 * A manifest as it travels: the exact ASCII JSON text that was signed, and the signature over
 * it. Verifiers check the signature on these bytes first and only then parse them, so no
 * canonical re-encoding is ever needed.
 */
export const SignedManifestSchema = z.strictObject({
  payload: z.string().max(MAX_MANIFEST_CHARS),
  signature: SignatureHexSchema,
  keyId: KeyIdSchema.optional(),
});
export type SignedManifest = z.infer<typeof SignedManifestSchema>;

/** An Ed25519 private key seed (32 bytes) as 64 lowercase hex digits. */
export const PrivateKeyHexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'private key: 64 lowercase hex digits');

/**
 * A publisher's signing key as kept on disk (the demo origin's data dir, `npm run sign --key`):
 * JSON, readable by its owner only. The public half is what gets registered with the stream.
 */
export const PublisherKeyFileSchema = z.strictObject({
  type: z.literal('p2pcdn-ed25519'),
  publicKey: PublicKeyHexSchema,
  privateKey: PrivateKeyHexSchema,
  createdAt: z.number().int().nonnegative(),
});
export type PublisherKeyFile = z.infer<typeof PublisherKeyFileSchema>;
