import { ErrorBodySchema } from '@p2pcdn/core';
import type { ConnectionState } from '../store/admin-store.ts';

/** What socket.io-client hands to `connect_error`: an Error, with `data` when the server sent some. */
export interface ConnectErrorLike {
  message: string;
  data?: unknown;
}

/** Capital first letter, final full stop. */
function asSentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`;
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
    // The coordinator's own sentence is the clearest explanation when it names the token.
    const sentence = /token/i.test(detail) ? detail : `Operator token refused: ${detail}`;
    return { status: 'refused', message: asSentence(sentence) };
  }
  return { status: 'refused', message: asSentence(`The coordinator refused the connection: ${detail}`) };
}
