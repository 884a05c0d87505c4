import type {
  ClientMessage,
  ErrorBody,
  NodeId,
  ServerMessage,
  StreamInfo,
  Welcome,
} from '../../protocol/index.ts';
import { AgentError } from '../errors.ts';
import type { AckPayloadOf, SignalingChannel, Unsubscribe } from '../signaling-channel.ts';

/** Answers a client message: a payload to acknowledge, or an error body to refuse. */
export type FakeResponder = (msg: ClientMessage) => Record<string, unknown> | ErrorBody | undefined;

/**
 * An in-memory {@link SignalingChannel}: records what the node sends, answers through a
 * responder, and lets a test push server messages and drop or restore the connection.
 */
export class FakeSignaling implements SignalingChannel {
  readonly sent: ClientMessage[] = [];
  connected = true;
  private readonly messageListeners = new Set<(msg: ServerMessage) => void>();
  private readonly disconnectListeners = new Set<(reason: string) => void>();
  private readonly reconnectListeners = new Set<() => void>();

  constructor(private readonly respond: FakeResponder = () => ({})) {}

  send<M extends ClientMessage>(msg: M): Promise<AckPayloadOf<M['type']>> {
    if (!this.connected) return Promise.reject(new AgentError('disconnected', 'fake signalling is down'));
    this.sent.push(msg);
    const answer = this.respond(msg) ?? {};
    if (isErrorBody(answer)) {
      return Promise.reject(new AgentError('refused', answer.message, { body: answer }));
    }
    return Promise.resolve(answer as AckPayloadOf<M['type']>);
  }

  /** Messages of one type the node sent. */
  sentOf<T extends ClientMessage['type']>(type: T): Extract<ClientMessage, { type: T }>[] {
    return this.sent.filter((m): m is Extract<ClientMessage, { type: T }> => m.type === type);
  }

  /** Delivers a server message to the node. */
  deliver(msg: ServerMessage): void {
    for (const listener of [...this.messageListeners]) listener(msg);
  }

  disconnect(reason = 'transport close'): void {
    this.connected = false;
    for (const listener of [...this.disconnectListeners]) listener(reason);
  }

  reconnect(): void {
    this.connected = true;
    for (const listener of [...this.reconnectListeners]) listener();
  }

  onMessage(listener: (msg: ServerMessage) => void): Unsubscribe {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  onDisconnect(listener: (reason: string) => void): Unsubscribe {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  onReconnect(listener: () => void): Unsubscribe {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  dispose(): void {
    this.messageListeners.clear();
    this.disconnectListeners.clear();
    this.reconnectListeners.clear();
  }
}

function isErrorBody(value: object): value is ErrorBody {
  return 'code' in value && 'message' in value && !('ok' in value);
}

/**
 * A coordinator stand-in for several fake nodes: says welcome with the given ids, answers joins
 * with `stream`, and relays `signal` messages between the nodes as the real coordinator does.
 */
export class FakeHub {
  private readonly nodes = new Map<NodeId, FakeSignaling>();
  private welcomes = 0;

  constructor(
    readonly stream: StreamInfo,
    private readonly heartbeatMs = 1_000,
  ) {}

  /** A channel for a node; its hellos are welcomed as `nodeId` (then `nodeId-2`, … after re-hellos when `freshIds`). */
  channel(nodeId: NodeId, options: { freshIds?: boolean } = {}): FakeSignaling {
    let hellos = 0;
    let currentId = nodeId;
    const channel: FakeSignaling = new FakeSignaling((msg) => {
      switch (msg.type) {
        case 'hello': {
          hellos++;
          this.welcomes++;
          if (options.freshIds && hellos > 1) {
            this.nodes.delete(currentId);
            currentId = `${nodeId}-${hellos}`;
          }
          this.nodes.set(currentId, channel);
          const welcome: Welcome = { nodeId: currentId, iceServers: [], heartbeatMs: this.heartbeatMs };
          return welcome;
        }
        case 'join':
          return msg.streamId === this.stream.id
            ? { stream: this.stream }
            : { code: 'unknown-stream', message: `no stream ${msg.streamId}` };
        case 'signal': {
          const from = currentId;
          const target = this.nodes.get(msg.to);
          void Promise.resolve().then(() =>
            target?.deliver({ type: 'signal', from, streamId: msg.streamId, signal: msg.signal }),
          );
          return {};
        }
        default:
          return {};
      }
    });
    return channel;
  }

  /** Total hellos answered. */
  get helloCount(): number {
    return this.welcomes;
  }
}
