/** What went wrong in the demo origin. */
export type OriginErrorKind =
  /** A box header or field runs past its parent, or a size makes no sense. */
  | 'malformed-box'
  /** The media directory does not hold a usable fMP4 clip (missing init, gaps, unknown tracks). */
  | 'malformed-clip'
  /** A rewritten timestamp does not fit its field (a version-0 `tfdt` or `sidx` past 2^32). */
  | 'timestamp-overflow'
  /** A sequence number outside what the stream has, e.g. past the end of the VOD clip. */
  | 'out-of-range';

/** Every failure of the demo origin's media handling. */
export class OriginError extends Error {
  override readonly name = 'OriginError';

  constructor(
    readonly kind: OriginErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
