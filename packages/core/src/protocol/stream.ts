import { z } from 'zod';
import { HttpUrlSchema, StreamIdSchema } from './common.ts';

/** A stream as publishers register it. */
export const StreamRegistrationSchema = z.strictObject({
  id: StreamIdSchema,
  /** Human title shown in the player and admin. */
  title: z.string().min(1).max(200).optional(),
  /** URL of the HLS master or media playlist at the publisher's origin. */
  url: HttpUrlSchema,
  /** Approximate bitrate in kbit/s; the planner budgets upload by it. Probed if omitted. */
  bitrateKbps: z.number().int().min(1).max(1_000_000).optional(),
});
export type StreamRegistration = z.infer<typeof StreamRegistrationSchema>;

/** A registered stream as the coordinator describes it to clients. */
export const StreamInfoSchema = z.strictObject({
  id: StreamIdSchema,
  title: z.string().max(200),
  url: HttpUrlSchema,
  bitrateKbps: z.number().int().min(1).max(1_000_000),
  live: z.boolean().optional(),
  createdAt: z.number().int().nonnegative(),
});
export type StreamInfo = z.infer<typeof StreamInfoSchema>;
