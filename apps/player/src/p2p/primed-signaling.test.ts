import {
  FakePeerNetwork,
  ManualClock,
  NodeAgent,
  socketSignaling,
  type AgentEngine,
  type ClientMessage,
  type EngineStats,
  type ServerMessage,
  type StreamInfo,
} from '@p2pcdn/core';
import { describe, expect, it } from 'vitest';
import { viewerHello } from '../page/page-defaults.ts';
import { earlyHello } from './early-start.ts';
import { PrimedSignalingSocket, sameJson, type RawSocket } from './primed-signaling.ts';

const stream: StreamInfo = {
  id: 'demo-live',
  title: 'Demo',
  url: 'http://127.0.0.1:8081/live/index.m3u8',
  bitrateKbps: 1000,
  live: true,
  createdAt: 0,
};
const parents: ServerMessage = { type: 'parents', streamId: 'demo-live', stream, parents: [], origin: true };
const welcome = { nodeId: 'v1', iceServers: [], heartbeatMs: 60_000 };

type Ack = Parameters<RawSocket['emit']>[2];
type Listener = (arg: never) => void;

/** A socket.io socket as far as the primed socket and core's signalling channel use it. */
class FakeSocket implements RawSocket {
  connected = true;
  readonly sent: { msg: ClientMessage; ack: Ack }[] = [];
  private readonly listeners = new Map<string, Set<Listener>>();

  emit(_event: 'msg', msg: ClientMessage, ack: Ack): this {
    this.sent.push({ msg, ack });
    return this;
  }
  on(event: string, listener: Listener): this {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener);
    this.listeners.set(event, set);
    return this;
  }
  off(event: string, listener: Listener): this {
    this.listeners.get(event)?.delete(listener);
    return this;
  }
  fire(event: string, arg?: unknown): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) (listener as (a: unknown) => void)(arg);
  }
  /** Answers the oldest unanswered request of `type`. */
  answer(type: ClientMessage['type'], res: unknown): void {
    const at = this.sent.findIndex((s) => s.msg.type === type);
    if (at < 0) throw new Error(`no ${type} sent`);
    const [request] = this.sent.splice(at, 1);
    request!.ack(res as Parameters<Ack>[0]);
  }
  types(): string[] {
    return this.sent.map((s) => s.msg.type);
  }
}

class NullEngine implements AgentEngine {
  addLink(): void {}
  stats(): EngineStats {
    return { httpBytes: 0, p2pBytes: 0, uploadBytes: 0, links: [], storeBytes: 0 };
  }
}

const hello = viewerHello('local', { uploadKbps: 8000, cacheBytes: 200 * 1024 * 1024 });
const requests = {
  hello: { type: 'hello', protocol: 1, ...hello },
  join: { type: 'join', streamId: 'demo-live' },
} as const;

function agentOver(primed: PrimedSignalingSocket, clock = new ManualClock()): NodeAgent {
  return new NodeAgent({
    signaling: socketSignaling(primed, { clock }),
    engine: new NullEngine(),
    peerFactory: new FakePeerNetwork().factory,
    clock,
  });
}

const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('PrimedSignalingSocket', () => {
  it('sends the hello and the join back to back at once', () => {
    const socket = new FakeSocket();
    new PrimedSignalingSocket(socket, requests);
    expect(socket.sent.map((s) => s.msg)).toEqual([requests.hello, requests.join]);
  });

  it("gives core's agent the acks and messages that came before it started, in order, sending nothing twice", async () => {
    const socket = new FakeSocket();
    const primed = new PrimedSignalingSocket(socket, requests);
    socket.answer('hello', { ok: true, ...welcome });
    socket.answer('join', { ok: true, stream });
    socket.fire('msg', parents);
    const agent = agentOver(primed);
    const assignments: unknown[] = [];
    agent.on('assignment', (a) => assignments.push(a));
    // The agent's hello is the page's: if the two drift apart this claims nothing and resends.
    await expect(agent.start(hello)).resolves.toMatchObject({ nodeId: 'v1' });
    await expect(agent.join('demo-live')).resolves.toEqual(stream);
    await flush();
    expect(socket.types()).not.toContain('hello');
    expect(socket.types()).not.toContain('join');
    expect(assignments).toMatchObject([{ streamId: 'demo-live', parents: [], origin: true }]);
  });

  it('holds a message that came after the join ack until the agent has its join answered', async () => {
    const socket = new FakeSocket();
    const primed = new PrimedSignalingSocket(socket, requests);
    const agent = agentOver(primed);
    const order: string[] = [];
    agent.on('assignment', () => order.push('assignment'));
    const started = agent.start(hello);
    socket.answer('hello', { ok: true, ...welcome });
    await started;
    socket.answer('join', { ok: true, stream });
    socket.fire('msg', parents);
    await flush();
    expect(order).toEqual([]);
    await agent.join('demo-live').then(() => order.push('join-ack'));
    await flush();
    expect(order).toEqual(['join-ack', 'assignment']);
  });

  it('hands a refused join to the agent as the refusal', async () => {
    const socket = new FakeSocket();
    const primed = new PrimedSignalingSocket(socket, requests);
    socket.answer('hello', { ok: true, ...welcome });
    socket.answer('join', { ok: false, error: { code: 'unknown-stream', message: 'no such stream' } });
    const agent = agentOver(primed);
    await agent.start(hello);
    await expect(agent.join('demo-live')).rejects.toMatchObject({ kind: 'refused' });
  });

  it('sends requests other than the primed ones to the socket', async () => {
    const socket = new FakeSocket();
    const primed = new PrimedSignalingSocket(socket, requests);
    socket.answer('hello', { ok: true, ...welcome });
    socket.answer('join', { ok: true, stream });
    const agent = agentOver(primed);
    await agent.start(hello);
    // Another stream than the primed one goes out for real.
    const other = agent.join('other-stream');
    expect(socket.types()).toEqual(['join']);
    socket.answer('join', { ok: true, stream: { ...stream, id: 'other-stream' } });
    await expect(other).resolves.toMatchObject({ id: 'other-stream' });
  });

  it('after a drop before the agent started, its hello goes out on the new connection', async () => {
    const socket = new FakeSocket();
    const primed = new PrimedSignalingSocket(socket, requests);
    socket.sent.length = 0; // lost with the connection
    socket.connected = false;
    socket.fire('disconnect', 'transport close');
    socket.connected = true;
    socket.fire('connect');
    const agent = agentOver(primed);
    const started = agent.start(hello);
    expect(socket.types()).toEqual(['hello']);
    socket.answer('hello', { ok: true, ...welcome, nodeId: 'v2' });
    await expect(started).resolves.toMatchObject({ nodeId: 'v2' });
    const joined = agent.join('demo-live');
    expect(socket.types()).toEqual(['join']);
    socket.answer('join', { ok: true, stream });
    await expect(joined).resolves.toEqual(stream);
  });
});

describe('earlyHello', () => {
  it('reads the same hello the page parameters give, defaults included', () => {
    expect(earlyHello(new URLSearchParams('stream=demo-live'))).toEqual(hello);
    expect(earlyHello(new URLSearchParams('stream=x&region=eu-west&upload=500&cache=64'))).toEqual(
      viewerHello('eu-west', { uploadKbps: 500, cacheBytes: 64 * 1024 * 1024 }),
    );
  });

  it('builds none from parameters the page would refuse', () => {
    expect(earlyHello(new URLSearchParams('stream=x&upload=fast'))).toBeNull();
    expect(earlyHello(new URLSearchParams('stream=x&cache=-1'))).toBeNull();
  });
});

describe('sameJson', () => {
  it('ignores key order and compares nested values', () => {
    expect(sameJson({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
  });
});
