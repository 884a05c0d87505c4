/** What went wrong checking signed or hashed data. */
export type IntegrityErrorKind =
  /** Not well-formed (bad hex, bad JSON, a schema violation, non-ASCII signed text). */
  | 'malformed'
  /** The signature does not verify under the expected key. */
  | 'bad-signature'
  /** A valid manifest that is not for this stream. */
  | 'wrong-stream'
  /** The caller passed an unusable argument (a key of the wrong length…). */
  | 'invalid-argument';

/** The integrity module's one error class; `kind` says what happened, `cause` keeps the origin. */
export class IntegrityError extends Error {
  override readonly name = 'IntegrityError';

  constructor(
    readonly kind: IntegrityErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
