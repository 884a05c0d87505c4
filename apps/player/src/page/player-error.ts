/** Why the player cannot play; each kind gets its own message on the page. */
export type PlayerErrorKind =
  /** No Media Source Extensions (or no WebRTC): the browser cannot run this player. */
  | 'unsupported'
  /** The page's `?…` parameters are malformed. */
  | 'bad-request'
  /** The coordinator (signalling and API) cannot be reached. */
  | 'coordinator-unreachable'
  /** The coordinator refused to let this tab join (other than an unknown stream). */
  | 'join-refused'
  /** `?stream=` names a stream the coordinator does not know. */
  | 'unknown-stream'
  /** The publisher's origin does not answer: the playlist or segments did not load. */
  | 'origin-unreachable'
  /** The browser could not decode the media, even after one recovery. */
  | 'media';

/** The player's one error class: a `kind` for code and tests, a sentence for the viewer. */
export class PlayerError extends Error {
  override readonly name = 'PlayerError';

  constructor(
    readonly kind: PlayerErrorKind,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** The plain, serialisable form shown on the page and published in `window.__p2pcdn.error`. */
export interface PlayerErrorInfo {
  kind: PlayerErrorKind;
  message: string;
}

/** Plain form of any error: a {@link PlayerError} keeps its kind, others become `fallback`. */
export function errorInfo(error: unknown, fallback: PlayerErrorKind): PlayerErrorInfo {
  if (error instanceof PlayerError) return { kind: error.kind, message: error.message };
  return { kind: fallback, message: error instanceof Error ? error.message : String(error) };
}
