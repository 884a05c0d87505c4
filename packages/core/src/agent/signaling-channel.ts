import { z } from 'zod';
import type { Clock, Logger } from '../engine/types.ts';
import {
  ErrorBodySchema,
  parseServerMessage,
  StreamInfoSchema,
  TocAnswerSchema,
  WelcomeSchema,
  type Ack,
  type AckPayloads,
  type ClientMessage,
  type ServerMessage,
} from '../protocol/index.ts';
import { AgentError } from './errors.ts';

/** Removes a listener registered with one of the `on…` methods. */
export type Unsubscribe = () => void;

/** The acknowledged payload of a client message of type `K` (the ack without its `ok` flag). */
export type AckPayloadOf<K extends ClientMessage['type']> = AckPayloads[K];

/**
 * The node's connection to the coordinator, independent of socket.io so the agent can be tested
 * with a fake. Every incoming {@link ServerMessage} has been validated.
 */
export interface SignalingChannel {
  /** Whether messages can be sent right now. */
  readonly connected: boolean;
  /**
   * Sends `msg` and resolves with the coordinator's acknowledged payload. Rejects with an
   * {@link AgentError}: `refused` (the ack said `ok: false`), `timeout`, `disconnected` or
   * `bad-response` (the ack did not match the protocol).
   */
  send<M extends ClientMessage>(msg: M): Promise<AckPayloadOf<M['type']>>;
  onMessage(listener: (msg: ServerMessage) => void): Unsubscribe;
  /** The connection dropped; messages sent now fail with `disconnected`. */
  onDisconnect(listener: (reason: string) => void): Unsubscribe;
  /** The connection came back after a drop; the coordinator has forgotten this node. */
  onReconnect(listener: () => void): Unsubscribe;
  /** Stops listening to the socket (does not close it: the socket belongs to the host). */
  dispose(): void;
}

/**
 * The part of a socket.io-client `Socket` (on the `/peer` namespace) that {@link socketSignaling}
 * uses; a real `Socket<PeerServerToClientEvents, PeerClientToServerEvents>` satisfies it.
 */
export interface SignalingSocketLike {
  readonly connected: boolean;
  emit(event: 'msg', msg: ClientMessage, ack: (res: Ack<Record<string, unknown>>) => void): unknown;
  on(event: 'msg', listener: (msg: ServerMessage) => void): unknown;
  on(event: 'connect', listener: () => void): unknown;
  on(event: 'disconnect', listener: (reason: string) => void): unknown;
  off(event: 'msg', listener: (msg: ServerMessage) => void): unknown;
  off(event: 'connect', listener: () => void): unknown;
  off(event: 'disconnect', listener: (reason: string) => void): unknown;
}

export interface SocketSignalingOptions {
  clock: Clock;
  /** How long to wait for an acknowledgement. Default 10 s. */
  ackTimeoutMs?: number;
  /**
   * Per-type overrides of `ackTimeoutMs`. Default: `leave` 60 s, since the coordinator answers it
   * only after the node's children have moved to other parents.
   */
  ackTimeoutsMs?: Partial<Record<ClientMessage['type'], number>>;
  log?: Logger;
}

const AckFailureSchema = z.object({ ok: z.literal(false), error: ErrorBodySchema });
const AckSuccessSchema = z.looseObject({ ok: z.literal(true) });

/** Ack payload schemas for messages whose ack carries data; others only need `ok: true`. */
const ackPayloadSchemas: { [K in ClientMessage['type']]?: z.ZodType<AckPayloads[K]> } = {
  hello: WelcomeSchema,
  join: z.strictObject({ stream: StreamInfoSchema }),
  'toc-query': z.strictObject({ toc: TocAnswerSchema }),
};

/** Validates an untrusted ack for a message of type `type`. */
export function parseAck<K extends ClientMessage['type']>(type: K, res: unknown): AckPayloadOf<K> {
  const failure = AckFailureSchema.safeParse(res);
  if (failure.success) {
    const { error } = failure.data;
    throw new AgentError('refused', `coordinator refused ${type}: ${error.code}: ${error.message}`, {
      body: error,
    });
  }
  const success = AckSuccessSchema.safeParse(res);
  if (!success.success) throw new AgentError('bad-response', `malformed ack for ${type}`);
  const schema = ackPayloadSchemas[type];
  if (!schema) return {} as AckPayloadOf<K>;
  const { ok: _ok, ...payload } = success.data;
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    throw new AgentError('bad-response', `malformed ack for ${type}: ${parsed.error.issues[0]?.message}`);
  }
  return parsed.data;
}

/**
 * Adapts a socket.io-client socket on the `/peer` namespace to a {@link SignalingChannel}:
 * messages go out as the `msg` event with an ack callback (timed out on the injected clock),
 * incoming `msg` events are validated with `parseServerMessage` and invalid ones dropped.
 * Before the socket's first connection socket.io buffers sends; after a drop, sends fail at once
 * (the agent says hello again on reconnect, so nothing stale is replayed).
 */
export function socketSignaling(
  socket: SignalingSocketLike,
  options: SocketSignalingOptions,
): SignalingChannel {
  const { clock, ackTimeoutMs = 10_000, log = () => {} } = options;
  const timeouts: Partial<Record<ClientMessage['type'], number>> = {
    leave: 60_000,
    ...options.ackTimeoutsMs,
  };
  const messageListeners = new Set<(msg: ServerMessage) => void>();
  const disconnectListeners = new Set<(reason: string) => void>();
  const reconnectListeners = new Set<() => void>();
  const pending = new Set<(error: AgentError) => void>();
  let seenConnect = socket.connected;

  const onMsg = (raw: unknown): void => {
    const parsed = parseServerMessage(raw);
    if (!parsed.ok) {
      log('dropping invalid server message: %s', parsed.error.message);
      return;
    }
    for (const listener of [...messageListeners]) listener(parsed.value);
  };
  const onConnect = (): void => {
    if (!seenConnect) {
      seenConnect = true;
      return;
    }
    log('reconnected');
    for (const listener of [...reconnectListeners]) listener();
  };
  const onDisconnect = (reason: string): void => {
    log('disconnected: %s', reason);
    for (const fail of [...pending])
      fail(new AgentError('disconnected', `signalling disconnected: ${reason}`));
    for (const listener of [...disconnectListeners]) listener(reason);
  };
  socket.on('msg', onMsg);
  socket.on('connect', onConnect);
  socket.on('disconnect', onDisconnect);

  const subscribe =
    <L>(set: Set<L>) =>
    (listener: L): Unsubscribe => {
      set.add(listener);
      return () => set.delete(listener);
    };

  return {
    get connected() {
      return socket.connected;
    },
    send<M extends ClientMessage>(msg: M): Promise<AckPayloadOf<M['type']>> {
      if (seenConnect && !socket.connected) {
        return Promise.reject(new AgentError('disconnected', `cannot send ${msg.type}: signalling is down`));
      }
      return new Promise<AckPayloadOf<M['type']>>((resolve, reject) => {
        let settled = false;
        const settle = (): boolean => {
          if (settled) return false;
          settled = true;
          clock.clearTimeout(timer);
          pending.delete(fail);
          return true;
        };
        const fail = (error: AgentError): void => {
          if (settle()) reject(error);
        };
        const timeoutMs = timeouts[msg.type] ?? ackTimeoutMs;
        const timer = clock.setTimeout(
          () => fail(new AgentError('timeout', `no ack for ${msg.type} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        pending.add(fail);
        socket.emit('msg', msg, (res: unknown) => {
          if (!settle()) return;
          try {
            resolve(parseAck<M['type']>(msg.type, res));
          } catch (error) {
            reject(error);
          }
        });
      });
    },
    onMessage: subscribe(messageListeners),
    onDisconnect: subscribe(disconnectListeners),
    onReconnect: subscribe(reconnectListeners),
    dispose() {
      socket.off('msg', onMsg);
      socket.off('connect', onConnect);
      socket.off('disconnect', onDisconnect);
      messageListeners.clear();
      disconnectListeners.clear();
      reconnectListeners.clear();
    },
  };
}
