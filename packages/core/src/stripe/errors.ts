/** Why a striping operation was refused. */
export type StripeErrorKind =
  /** The caller passed a value the operation cannot work with (bad weight, length, seq…). */
  | 'invalid-argument'
  /** A pattern epoch does not follow the current one (older epoch or earlier start). */
  | 'stale-epoch'
  /** No source is left to carry the stream. */
  | 'no-sources';

/** Refusal of a striping operation; the state it was applied to is left unchanged. */
export class StripeError extends Error {
  override readonly name = 'StripeError';

  constructor(
    readonly kind: StripeErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
