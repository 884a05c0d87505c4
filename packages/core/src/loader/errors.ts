/** Why a segment could not be loaded. */
export type SegmentLoadErrorKind =
  /** The caller's cancel token fired. */
  | 'cancelled'
  /** Neither the peers nor the HTTP fetch delivered the segment; `cause` holds the HTTP error. */
  | 'unavailable';

/** The segment loader's one error class; `kind` says what happened, `cause` keeps the origin. */
export class SegmentLoadError extends Error {
  override readonly name = 'SegmentLoadError';

  constructor(
    readonly kind: SegmentLoadErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
