import type { ErrorCode } from '@p2pcdn/core';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { SignalingError } from '../errors.ts';
import { ProbeError } from '../streams/probe.ts';

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  'bad-request': 400,
  'too-large': 413,
  'not-registered': 404,
  'already-registered': 409,
  'unknown-stream': 404,
  'unknown-peer': 404,
  forbidden: 403,
  unauthorized: 401,
  'rate-limited': 429,
  conflict: 409,
  unavailable: 503,
  internal: 500,
};

/** A JSON error response `{error: {code, message}}`. */
export function errorResponse(c: Context, code: ErrorCode, message: string, status = STATUS[code]): Response {
  return c.json({ error: { code, message } }, status);
}

/** Maps a thrown error to its JSON response, or undefined for unexpected errors. */
export function knownErrorResponse(c: Context, error: unknown): Response | undefined {
  if (error instanceof SignalingError) return errorResponse(c, error.kind, error.message);
  if (error instanceof ProbeError) {
    const code: ErrorCode =
      error.kind === 'unreachable' || error.kind === 'timeout' ? 'unavailable' : 'bad-request';
    return errorResponse(c, code, error.message, 422);
  }
  return undefined;
}
