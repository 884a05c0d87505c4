import type {
  AdminClientToServerEvents,
  AdminServerToClientEvents,
  AdminSnapshot,
  Clock,
  PeerClientToServerEvents,
  PeerServerToClientEvents,
  TimerHandle,
} from '@p2pcdn/core';
import createDebug from 'debug';
import type { Namespace, Server } from 'socket.io';
import { tokenMatches } from '../auth.ts';
import { errorLog } from '../log.ts';
import type { EventLog } from '../registry/event-log.ts';

const debug = createDebug('p2pcdn:signaling:admin');

/** What the `/admin` namespace needs. */
export interface AdminNamespaceOptions {
  token: string;
  clock: Clock;
  intervalMs: number;
  snapshot: () => AdminSnapshot;
  events: EventLog;
}

/** The running `/admin` namespace. */
export interface AdminNamespace {
  nsp: Namespace<AdminClientToServerEvents, AdminServerToClientEvents>;
  /** Pushes a snapshot to every admin now. */
  broadcast(): void;
  stop(): void;
}

/** What an admin client sees when its connection is refused (the `connect_error` message). */
export const ADMIN_TOKEN_MISSING =
  'operator token required: connect with auth: { token: "<operator token>" }';
export const ADMIN_TOKEN_REFUSED = 'operator token refused: it does not match this coordinator’s token';

/**
 * The `/admin` namespace: operators connect with the token in `auth.token` (anything else is
 * refused with a `connect_error` that says why) and receive a snapshot at once, then about every
 * `intervalMs` while anyone is connected.
 */
export function attachAdminNamespace(
  io: Server<PeerClientToServerEvents, PeerServerToClientEvents>,
  options: AdminNamespaceOptions,
): AdminNamespace {
  // The server is typed for its main namespace (`/peer`); this one has its own event maps.
  const nsp = (io as unknown as Server<AdminClientToServerEvents, AdminServerToClientEvents>).of('/admin');

  nsp.use((socket, next) => {
    const auth: unknown = socket.handshake.auth;
    const token = typeof auth === 'object' && auth !== null && 'token' in auth ? auth.token : undefined;
    if (typeof token !== 'string' || token.length === 0) {
      next(new Error(ADMIN_TOKEN_MISSING));
      return;
    }
    if (!tokenMatches(token, options.token)) {
      options.events.add({
        kind: 'refused',
        message: `admin connection from ${socket.handshake.address} refused: wrong token`,
      });
      next(new Error(ADMIN_TOKEN_REFUSED));
      return;
    }
    next();
  });

  nsp.on('connection', (socket) => {
    debug('admin %s connected from %s', socket.id, socket.handshake.address);
    socket.emit('snapshot', options.snapshot());
  });

  let timer: TimerHandle | undefined;
  const broadcast = (): void => {
    if (nsp.sockets.size > 0) nsp.emit('snapshot', options.snapshot());
  };
  const tick = (): void => {
    try {
      broadcast();
    } catch (error) {
      errorLog('building the admin snapshot failed: %O', error);
    }
    timer = options.clock.setTimeout(tick, options.intervalMs);
  };
  timer = options.clock.setTimeout(tick, options.intervalMs);

  return {
    nsp,
    broadcast,
    stop() {
      options.clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}
