import { ErrorBodySchema } from '@p2pcdn/core';
import type { ConnectionState } from '../store/admin-store.ts';

/** What socket.io-client hands to `connect_error`: an Error, with `data` when the server sent some. */
export interface ConnectErrorLike {
  message: string;
  data?: unknown;
}

/**
 * Explains a failed connection. When socket.io gave up on its own (`active` false) the server
 * refused us in its middleware, which for `/admin` means the operator token; otherwise the
 * coordinator is unreachable for now and socket.io keeps retrying.
 */
export function describeConnectError(error: ConnectErrorLike, active: boolean): ConnectionState {
  if (active) {
    return { status: 'reconnecting', message: `Cannot reach the coordinator (${error.message}); retrying…` };
  }
  const body = ErrorBodySchema.safeParse(error.data);
  const code = body.success ? body.data.code : error.message;
  const detail = body.success ? body.data.message : error.message;
  if (code === 'unauthorized' || code === 'forbidden' || /token|auth/i.test(detail)) {
    return { status: 'refused', message: `The coordinator refused this operator token (${detail}).` };
  }
  return { status: 'refused', message: `The coordinator refused the connection: ${detail}` };
}
