import type { PeerClientToServerEvents, PeerServerToClientEvents } from '@p2pcdn/core';
import { io, type Socket } from 'socket.io-client';
import { WorkerError } from './errors.ts';

/** A socket on the coordinator's `/peer` namespace. */
export type PeerSocket = Socket<PeerServerToClientEvents, PeerClientToServerEvents>;

/**
 * Connects to the coordinator's `/peer` namespace (WebSocket transport, reconnecting for ever once
 * connected). Fails with an `unreachable` {@link WorkerError} if the first connection is not up
 * within `timeoutMs`; the socket is closed then.
 */
export function connectSignaling(url: string, timeoutMs = 5_000): Promise<PeerSocket> {
  const socket: PeerSocket = io(url, {
    transports: ['websocket'],
    timeout: timeoutMs,
    reconnectionDelayMax: 5_000,
  });
  return new Promise<PeerSocket>((resolve, reject) => {
    let lastError = 'no answer';
    const timer = setTimeout(() => {
      cleanup();
      socket.close();
      reject(new WorkerError('unreachable', `cannot reach the coordinator at ${url} (${lastError})`));
    }, timeoutMs);
    const onConnect = (): void => {
      cleanup();
      resolve(socket);
    };
    const onError = (error: Error): void => {
      lastError = error.message;
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('connect_error', onError);
    };
    socket.on('connect', onConnect);
    socket.on('connect_error', onError);
  });
}
