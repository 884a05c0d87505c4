import {
  parseClientMessage,
  type Ack,
  type Clock,
  type ErrorBody,
  type PeerClientToServerEvents,
  type PeerServerToClientEvents,
} from '@p2pcdn/core';
import createDebug from 'debug';
import type { Namespace, Server } from 'socket.io';
import { DEFAULT_QUERY_RATE_LIMIT, type RateLimit } from '../config.ts';
import type { Coordinator } from '../coordinator/coordinator.ts';
import { toErrorBody } from '../errors.ts';
import { errorLog } from '../log.ts';
import { TokenBucket } from './rate-limit.ts';
import { SocketLink, type PeerSocket } from './socket-link.ts';

const debug = createDebug('p2pcdn:signaling:peer');

/** Limits of the `/peer` namespace. */
export interface PeerNamespaceOptions {
  clock: Clock;
  /** Messages a socket may send. */
  rateLimit: RateLimit;
  /**
   * Table-of-contents questions (`toc-query`) a socket may ask, on top of `rateLimit`: each may
   * walk every holder of a segment. Default 10 at once, 2 per second.
   */
  queryRateLimit?: RateLimit;
  /** Refusals a socket may collect (burst, per second) before it is disconnected. */
  refusalLimit?: RateLimit;
}

type Reply = (res: Ack<Record<string, unknown>>) => void;

/**
 * The `/peer` namespace: every client message arrives as the `msg` event, is rate-limited,
 * validated with `parseClientMessage` and handed to the node's {@link PeerSession}. Refusals go
 * back through the ack (`{ok:false, error}`) or, without one, as an `error` message. A socket
 * that keeps getting refused is disconnected; others are never affected.
 */
export function attachPeerNamespace(
  io: Server<PeerClientToServerEvents, PeerServerToClientEvents>,
  coordinator: Coordinator,
  options: PeerNamespaceOptions,
): Namespace<PeerClientToServerEvents, PeerServerToClientEvents> {
  const nsp = io.of('/peer');
  const refusalLimit = options.refusalLimit ?? { burst: 300, perSecond: 30 };
  const queryLimit = options.queryRateLimit ?? DEFAULT_QUERY_RATE_LIMIT;

  nsp.on('connection', (socket: PeerSocket) => {
    const link = new SocketLink(socket);
    const session = coordinator.openSession(link);
    const messages = new TokenBucket(options.rateLimit, options.clock);
    const refusals = new TokenBucket(refusalLimit, options.clock);
    const queries = new TokenBucket(queryLimit, options.clock);
    debug('connection %s from %s', socket.id, socket.handshake.address);

    const refuse = (error: ErrorBody, reply: Reply | undefined): void => {
      debug('%s refused: %s: %s', session.nodeId ?? socket.id, error.code, error.message);
      if (reply) reply({ ok: false, error });
      else socket.emit('msg', { type: 'error', error });
      if (!refusals.take()) {
        coordinator.events.add({
          kind: 'refused',
          ...(session.nodeId ? { nodeId: session.nodeId } : {}),
          message: `disconnected ${session.nodeId ?? 'an unregistered client'}: too many refused messages`,
        });
        socket.disconnect(true);
      }
    };

    socket.onAny((event: string, ...args: unknown[]) => {
      if (event === 'msg') return;
      const last = args[args.length - 1];
      const reply = typeof last === 'function' ? (last as Reply) : undefined;
      const name = String(event).slice(0, 40);
      refuse(
        { code: 'bad-request', message: `unknown event "${name}": every message travels as "msg"` },
        reply,
      );
    });

    socket.on('msg', (raw: unknown, ack?: unknown) => {
      const reply = typeof ack === 'function' ? (ack as Reply) : undefined;
      if (!messages.take()) {
        refuse({ code: 'rate-limited', message: 'too many messages; slow down' }, reply);
        return;
      }
      const parsed = parseClientMessage(raw);
      if (!parsed.ok) {
        refuse(parsed.error, reply);
        return;
      }
      if (parsed.value.type === 'toc-query' && !queries.take()) {
        const message = `too many table-of-contents questions; at most ${queryLimit.perSecond} per second`;
        refuse({ code: 'rate-limited', message }, reply);
        return;
      }
      link.cork();
      let result;
      try {
        result = session.receive(parsed.value);
      } catch (error) {
        logUnexpected(error);
        refuse(toErrorBody(error), reply);
        link.uncork();
        return;
      }
      if (result instanceof Promise) {
        link.uncork();
        result.then(
          (payload) => reply?.({ ok: true, ...payload }),
          (error: unknown) => {
            logUnexpected(error);
            refuse(toErrorBody(error), reply);
          },
        );
        return;
      }
      reply?.({ ok: true, ...result });
      link.uncork();
    });

    socket.on('disconnect', (reason) => {
      debug('disconnect %s (%s): %s', socket.id, session.nodeId ?? 'no node', reason);
      session.close();
    });
  });
  return nsp;
}

function logUnexpected(error: unknown): void {
  if (toErrorBody(error).code === 'internal') errorLog('internal error handling a peer message: %O', error);
}
