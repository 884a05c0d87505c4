import type { Logger, PeerClientToServerEvents, PeerServerToClientEvents } from '@p2pcdn/core';
import type { Socket } from 'socket.io-client';
import { PlayerError } from '../page/player-error.ts';

/** The `/peer` namespace socket, typed by core's event maps. */
export type PeerSocket = Socket<PeerServerToClientEvents, PeerClientToServerEvents>;

/** Failed connection attempts to the coordinator before the page says it is unreachable. */
const MAX_CONNECT_FAILURES = 3;

/** What the page hears about the coordinator connection. */
export interface CoordinatorSocketOptions {
  /** The socket connected (the first time and after every reconnection). */
  onConnect: () => void;
  /** The coordinator never answered after repeated attempts. */
  onUnreachable: (error: PlayerError) => void;
  log: Logger;
}

/**
 * Watches the `/peer` socket to the coordinator (see `connectToCoordinator`): reports each
 * connection, and the coordinator as unreachable after repeated failed attempts before it ever
 * answered. Returns the socket.
 */
export function watchCoordinatorSocket(socket: PeerSocket, options: CoordinatorSocketOptions): PeerSocket {
  let failures = 0;
  let connected = socket.connected;
  if (connected) options.onConnect();
  socket.on('connect', () => {
    connected = true;
    failures = 0;
    options.onConnect();
  });
  socket.on('connect_error', (error) => {
    options.log('coordinator connect error: %s', error.message);
    if (connected || ++failures < MAX_CONNECT_FAILURES) return;
    options.onUnreachable(
      new PlayerError(
        'coordinator-unreachable',
        `The coordinator at ${window.location.host} does not answer (${error.message}).`,
        { cause: error },
      ),
    );
  });
  return socket;
}
