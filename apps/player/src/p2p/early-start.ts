import { io } from 'socket.io-client';
import type { PeerSocket } from './coordinator-socket.ts';

/**
 * Network work a watching page can start from its URL alone, before the rest of the bundle is
 * evaluated: the coordinator socket's handshake and the stream's description travel while the
 * protocol schemas, the peer stack and React are set up, instead of after. Nothing here validates
 * or interprets: the session takes these over (and checks everything) once it starts.
 *
 * This module must stay light: it is evaluated before `@p2pcdn/core` (see `main.tsx`).
 */
export interface EarlyStart {
  /** The `/peer` socket, already connecting. */
  socket: PeerSocket;
  /** `GET /api/streams/:id`, already sent (never rejects: a failed request resolves `null`). */
  streamAnswer: Promise<Response | null>;
}

/** Opens the `/peer` socket to the coordinator that served the page (WebSocket first). */
export function connectToCoordinator(): PeerSocket {
  return io('/peer', {
    // WebSocket first saves the long-polling handshake on every start; polling stays as fallback.
    transports: ['websocket', 'polling'],
    tryAllTransports: true,
    reconnectionDelayMax: 5000,
  });
}

/** Starts both requests when the page is about to watch a stream (`?stream=` is present). */
function startEarly(search: string): EarlyStart | null {
  const streamId = new URLSearchParams(search).get('stream');
  if (!streamId) return null;
  return {
    socket: connectToCoordinator(),
    streamAnswer: fetch(`/api/streams/${encodeURIComponent(streamId)}`).catch(() => null),
  };
}

let early: EarlyStart | null = typeof window === 'undefined' ? null : startEarly(window.location.search);

/**
 * Hands over what was started early (once): the session adopts it; a page that turns out not
 * to watch (bad parameters) closes the socket.
 */
export function takeEarlyStart(): EarlyStart | null {
  const taken = early;
  early = null;
  return taken;
}
