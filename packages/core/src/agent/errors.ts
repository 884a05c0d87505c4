import type { ErrorBody } from '../protocol/index.ts';

/** What went wrong in the node agent. */
export type AgentErrorKind =
  /** The coordinator answered `{ ok: false }`; `body` carries its code and sentence. */
  | 'refused'
  /** The coordinator did not acknowledge in time. */
  | 'timeout'
  /** The signalling connection is down (or went down while waiting). */
  | 'disconnected'
  /** The coordinator's answer did not match the protocol. */
  | 'bad-response'
  /** The agent was used out of order (e.g. `join` before `start`) or after `stop`. */
  | 'state';

/** The node agent's one error class; `kind` says which failure it is, `cause` keeps the origin. */
export class AgentError extends Error {
  override readonly name = 'AgentError';
  /** The coordinator's error body, for `refused`. */
  readonly body?: ErrorBody;

  constructor(
    readonly kind: AgentErrorKind,
    message: string,
    options: { cause?: unknown; body?: ErrorBody } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (options.body) this.body = options.body;
  }
}
