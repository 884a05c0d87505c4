/** What went wrong in the peer engine. */
export type PeerEngineErrorKind =
  /** The caller's cancel token fired. */
  | 'cancelled'
  /** The engine was destroyed while the operation was pending. */
  | 'destroyed'
  /** The host passed an argument the engine cannot work with. */
  | 'invalid-argument';

/** The peer engine's one error class; `kind` says what happened, `cause` keeps the origin. */
export class PeerEngineError extends Error {
  override readonly name = 'PeerEngineError';

  constructor(
    readonly kind: PeerEngineErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
