import type { ClientMessage, NodeId } from '@p2pcdn/core';
import { SignalingError } from '../errors.ts';
import type { NodeLink } from '../registry/node-registry.ts';
import type { AckPayload, Coordinator } from './coordinator.ts';

/**
 * One connection's conversation with the coordinator: `hello` first and only once, then
 * messages as that node, until the connection closes or the node leaves the network (after which
 * it may say hello again). Refusals throw {@link SignalingError}s and change nothing.
 */
export class PeerSession {
  private current: NodeId | undefined;
  private closed = false;

  constructor(
    private readonly coordinator: Coordinator,
    private readonly link: NodeLink,
  ) {}

  /** The node this connection speaks for, once it said hello. */
  get nodeId(): NodeId | undefined {
    return this.current;
  }

  receive(msg: ClientMessage): AckPayload | Promise<AckPayload> {
    if (this.closed) throw new SignalingError('unavailable', 'this connection is closing');
    if (msg.type === 'hello') {
      if (this.current !== undefined && this.coordinator.nodes.has(this.current)) {
        throw new SignalingError(
          'already-registered',
          `this connection already said hello as node ${this.current}`,
        );
      }
      const welcome = this.coordinator.register(this.link, msg);
      this.current = welcome.nodeId;
      return welcome;
    }
    const id = this.current;
    if (id === undefined)
      throw new SignalingError('not-registered', `say hello before sending "${msg.type}"`);
    if (!this.coordinator.nodes.has(id)) {
      this.current = undefined;
      throw new SignalingError('not-registered', 'this node was removed from the network; say hello again');
    }
    const result = this.coordinator.handle(id, msg);
    if (msg.type === 'leave' && msg.streamId === undefined && result instanceof Promise) {
      return result.then((ack) => {
        if (this.current === id && !this.coordinator.nodes.has(id)) this.current = undefined;
        return ack;
      });
    }
    return result;
  }

  /** The connection is gone: the node (if any) leaves the network at once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.current !== undefined) this.coordinator.removeNode(this.current, 'disconnected');
    this.current = undefined;
  }
}
