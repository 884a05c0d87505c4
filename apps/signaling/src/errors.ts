import { PlannerError, type ErrorBody, type ErrorCode, type PlannerErrorKind } from '@p2pcdn/core';

/**
 * A request the coordinator refuses, with the code and sentence the client gets back. Thrown by
 * the domain layer before it changes any state.
 */
export class SignalingError extends Error {
  override readonly name = 'SignalingError';

  constructor(
    readonly kind: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const PLANNER_CODES: Record<PlannerErrorKind, ErrorCode> = {
  'unknown-node': 'unknown-peer',
  'unknown-stream': 'unknown-stream',
  'duplicate-node': 'conflict',
  'duplicate-stream': 'already-registered',
  'not-a-viewer': 'forbidden',
  'not-a-member': 'conflict',
  'not-the-parent': 'conflict',
};

/** Turns a planner refusal into the client-facing error; anything else passes through. */
export function fromPlannerError(error: unknown): unknown {
  if (error instanceof PlannerError) {
    return new SignalingError(PLANNER_CODES[error.kind], error.message, { cause: error });
  }
  return error;
}

/** The `{code, message}` a client gets for `error`; unexpected errors say nothing internal. */
export function toErrorBody(error: unknown): ErrorBody {
  const mapped = fromPlannerError(error);
  if (mapped instanceof SignalingError) return { code: mapped.kind, message: mapped.message.slice(0, 1000) };
  return { code: 'internal', message: 'the coordinator failed to handle this message' };
}
