import { io } from 'socket.io-client';
import {
  DEFAULT_CACHE_BYTES,
  DEFAULT_REGION,
  DEFAULT_UPLOAD_KBPS,
  viewerHello,
  type ViewerHello,
} from '../page/page-defaults.ts';
import type { PeerSocket } from './coordinator-socket.ts';
import { PrimedSignalingSocket } from './primed-signaling.ts';

/**
 * Network work a watching page can start from its URL alone, before the rest of the bundle is
 * evaluated: the coordinator socket's handshake, the viewer's hello and join (and so the parent
 * assignment) and the stream's description travel while the protocol schemas, the peer stack and
 * React are set up, instead of after. Nothing here validates or interprets: the session takes
 * these over (and checks everything) once it starts.
 *
 * This module must stay light: it is evaluated before `@p2pcdn/core` (see `main.tsx`).
 */
export interface EarlyStart {
  /** The `/peer` socket, already connecting. */
  socket: PeerSocket;
  /** `GET /api/streams/:id`, already sent (never rejects: a failed request resolves `null`). */
  streamAnswer: Promise<Response | null>;
  /**
   * The socket with this viewer's hello and join already sent, for the agent, or null when the
   * URL's parameters are not plain enough to build the hello without the page's validation.
   */
  primed: PrimedSignalingSocket | null;
  /** The hello `primed` sent (the session starts its agent with exactly this, or not at all). */
  hello: ViewerHello | null;
  /**
   * Settles once the socket is connected (so the hello and join have left), or after
   * {@link CONNECT_HEAD_START_MS} at most. The page evaluates the rest of its code after it: while
   * that runs (one long task) the socket could not even finish its handshake.
   */
  connected: Promise<void>;
}

/** Longest the rest of the page's code waits for the coordinator socket to connect, ms. */
export const CONNECT_HEAD_START_MS = 15;

/** Opens the `/peer` socket to the coordinator that served the page (WebSocket first). */
export function connectToCoordinator(): PeerSocket {
  return io('/peer', {
    // WebSocket first saves the long-polling handshake on every start; polling stays as fallback.
    transports: ['websocket', 'polling'],
    tryAllTransports: true,
    reconnectionDelayMax: 5000,
  });
}

/**
 * The viewer's hello as the session will build it from valid parameters; null when a parameter
 * is not a plain whole number (the session then reports it, and nothing was sent). The region
 * is taken as written: an invalid one is refused by the coordinator and by the session alike.
 */
export function earlyHello(query: URLSearchParams): ViewerHello | null {
  const whole = (name: string, fallback: number): number | null => {
    const raw = query.get(name);
    if (raw === null || raw === '') return fallback;
    return /^\d{1,10}$/.test(raw) ? Number(raw) : null;
  };
  const uploadKbps = whole('upload', DEFAULT_UPLOAD_KBPS);
  const cacheMb = whole('cache', DEFAULT_CACHE_BYTES / (1024 * 1024));
  if (uploadKbps === null || cacheMb === null) return null;
  return viewerHello(query.get('region') || DEFAULT_REGION, {
    uploadKbps,
    cacheBytes: cacheMb * 1024 * 1024,
  });
}

/** Starts everything when the page is about to watch a stream (`?stream=` is present). */
function startEarly(search: string): EarlyStart | null {
  const query = new URLSearchParams(search);
  const streamId = query.get('stream');
  if (!streamId) return null;
  const socket = connectToCoordinator();
  const hello = earlyHello(query);
  const connected = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, CONNECT_HEAD_START_MS);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return {
    connected,
    socket,
    streamAnswer: fetch(`/api/streams/${encodeURIComponent(streamId)}`).catch(() => null),
    primed: hello
      ? new PrimedSignalingSocket(socket, {
          hello: { type: 'hello', protocol: 1, ...hello },
          join: { type: 'join', streamId },
        })
      : null,
    hello,
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
