/** What went wrong in the worker. */
export type WorkerErrorKind =
  /** Command-line flags are missing or invalid. */
  | 'bad-flags'
  /** The coordinator could not be reached or refused the node. */
  | 'unreachable'
  /** A URL outside the stream's origin, or a stream the coordinator did not allow. */
  | 'forbidden'
  /** The origin answered with an error status. */
  | 'http'
  /** A response exceeded its size limit. */
  | 'too-large'
  /** A request took longer than its deadline. */
  | 'timeout'
  /** The caller cancelled. */
  | 'cancelled'
  /** A playlist could not be parsed or used. */
  | 'playlist';

/** The worker's one error class; `kind` says which failure it is, `cause` keeps the origin. */
export class WorkerError extends Error {
  override readonly name = 'WorkerError';

  constructor(
    readonly kind: WorkerErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
