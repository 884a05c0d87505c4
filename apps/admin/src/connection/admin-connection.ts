import type { AdminClientToServerEvents, AdminServerToClientEvents } from '@p2pcdn/core';
import { io, type Socket } from 'socket.io-client';
import type { StoreApi } from 'zustand/vanilla';
import type { AdminState } from '../store/admin-store.ts';
import { describeConnectError } from './connect-error.ts';

/** The typed `/admin` socket. */
export type AdminSocket = Socket<AdminServerToClientEvents, AdminClientToServerEvents>;

/** Opens the `/admin` namespace with the operator token (injectable for tests). */
export type AdminSocketFactory = (token: string) => AdminSocket;

const openAdminSocket: AdminSocketFactory = (token) =>
  io('/admin', { auth: { token }, reconnectionDelay: 500, reconnectionDelayMax: 5000 });

/**
 * Connects to the coordinator's `/admin` namespace and feeds the store: connection state,
 * validated snapshots. Returns a function that closes the socket.
 */
export function connectAdmin(
  token: string,
  store: StoreApi<AdminState>,
  open: AdminSocketFactory = openAdminSocket,
): () => void {
  const socket = open(token);
  const { setConnection, refuse, receiveSnapshot } = store.getState();
  setConnection({ status: 'connecting' });

  socket.on('connect', () => setConnection({ status: 'connected' }));
  socket.on('connect_error', (error) => {
    const state = describeConnectError(error, socket.active);
    if (state.status === 'refused') {
      socket.disconnect();
      refuse(state.message ?? 'The coordinator refused the connection.');
    } else {
      setConnection({ ...state, attempt: store.getState().connection.attempt ?? 0 });
    }
  });
  socket.on('disconnect', (reason) => {
    if (reason === 'io client disconnect') return;
    if (reason === 'io server disconnect') {
      setConnection({ status: 'disconnected', message: 'The coordinator closed the connection.' });
    } else {
      setConnection({ status: 'reconnecting', message: `Connection lost (${reason}); retrying…` });
    }
  });
  socket.io.on('reconnect_attempt', (attempt) => {
    const current = store.getState().connection;
    setConnection({ status: 'reconnecting', message: current.message ?? 'Reconnecting…', attempt });
  });
  // Typed as AdminSnapshot by the event map, but it crossed a socket: the store validates it.
  socket.on('snapshot', (raw: unknown) => receiveSnapshot(raw, Date.now()));

  return () => {
    socket.removeAllListeners();
    socket.io.removeAllListeners();
    socket.disconnect();
  };
}
