import { z } from 'zod';
import { HttpUrlSchema, PublicKeyHexSchema, StreamIdSchema } from './common.ts';

/**
 * How a stream's segments are vouched for: the publisher's Ed25519 public key and the URL of
 * the manifest it signs with it. Registered together or not at all; a stream without them plays
 * unverified.
 */
const integrityFields = {
  /** The publisher's Ed25519 public key (hex); every node checks the manifest against it. */
  publicKey: PublicKeyHexSchema.optional(),
  /** URL of the signed segment manifest (`SignedManifest` JSON), refreshed as a live stream slides. */
  manifestUrl: HttpUrlSchema.optional(),
};

function keyAndManifestTogether(s: { publicKey?: string | undefined; manifestUrl?: string | undefined }) {
  return (s.publicKey === undefined) === (s.manifestUrl === undefined);
}
const TOGETHER = { message: 'publicKey and manifestUrl go together', path: ['manifestUrl'] };

/** A stream as publishers register it. */
export const StreamRegistrationSchema = z
  .strictObject({
    id: StreamIdSchema,
    /** Human title shown in the player and admin. */
    title: z.string().min(1).max(200).optional(),
    /** URL of the HLS master or media playlist at the publisher's origin. */
    url: HttpUrlSchema,
    /** Approximate bitrate in kbit/s; the planner budgets upload by it. Probed if omitted. */
    bitrateKbps: z.number().int().min(1).max(1_000_000).optional(),
    ...integrityFields,
  })
  .refine(keyAndManifestTogether, TOGETHER);
export type StreamRegistration = z.infer<typeof StreamRegistrationSchema>;

/** A registered stream as the coordinator describes it to clients. */
export const StreamInfoSchema = z
  .strictObject({
    id: StreamIdSchema,
    title: z.string().max(200),
    url: HttpUrlSchema,
    bitrateKbps: z.number().int().min(1).max(1_000_000),
    live: z.boolean().optional(),
    createdAt: z.number().int().nonnegative(),
    ...integrityFields,
  })
  .refine(keyAndManifestTogether, TOGETHER);

/** Whether a stream's segments are checked against a signed manifest. */
export function isVerified(stream: {
  publicKey?: string | undefined;
  manifestUrl?: string | undefined;
}): stream is { publicKey: string; manifestUrl: string } {
  return stream.publicKey !== undefined && stream.manifestUrl !== undefined;
}
export type StreamInfo = z.infer<typeof StreamInfoSchema>;
