import type { PeerClientToServerEvents, PeerServerToClientEvents, ServerMessage } from '@p2pcdn/core';
import createDebug from 'debug';
import type { Socket } from 'socket.io';
import type { NodeLink } from '../registry/node-registry.ts';

const debug = createDebug('p2pcdn:signaling:peer');

/** A socket on the `/peer` namespace. */
export type PeerSocket = Socket<PeerClientToServerEvents, PeerServerToClientEvents>;

/**
 * A {@link NodeLink} over a socket.io socket. While *corked* (during the synchronous handling
 * of one of the node's own messages) messages to it are held back, so the ack of a request
 * always reaches the node before the messages the request caused (e.g. `parents` after `join`).
 */
export class SocketLink implements NodeLink {
  private held: ServerMessage[] | undefined;

  constructor(private readonly socket: PeerSocket) {}

  send(msg: ServerMessage): void {
    if (this.held) this.held.push(msg);
    else this.socket.emit('msg', msg);
  }

  close(reason: string): void {
    debug('closing %s: %s', this.socket.id, reason);
    this.socket.disconnect(true);
  }

  cork(): void {
    this.held ??= [];
  }

  uncork(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const msg of held) this.socket.emit('msg', msg);
  }
}
