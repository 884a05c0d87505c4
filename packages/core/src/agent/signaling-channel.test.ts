import { describe, expect, it } from 'vitest';
import type { Ack, ClientMessage, ServerMessage } from '../protocol/index.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { AgentError } from './errors.ts';
import { parseAck, socketSignaling, type SignalingSocketLike } from './signaling-channel.ts';

type Handler = (...args: never[]) => void;

/** A socket.io-client look-alike whose server side the test plays by hand. */
class FakeSocket implements SignalingSocketLike {
  connected = false;
  readonly emitted: { msg: ClientMessage; ack: (res: unknown) => void }[] = [];
  private readonly handlers = new Map<string, Set<Handler>>();

  emit(_event: 'msg', msg: ClientMessage, ack: (res: Ack<Record<string, unknown>>) => void): this {
    this.emitted.push({ msg, ack: ack as (res: unknown) => void });
    return this;
  }
  on(event: string, listener: Handler): this {
    const set = this.handlers.get(event) ?? new Set();
    set.add(listener);
    this.handlers.set(event, set);
    return this;
  }
  off(event: string, listener: Handler): this {
    this.handlers.get(event)?.delete(listener);
    return this;
  }
  fire(event: string, ...args: unknown[]): void {
    for (const h of this.handlers.get(event) ?? []) (h as (...a: unknown[]) => void)(...args);
  }
  listenerCount(): number {
    return [...this.handlers.values()].reduce((n, s) => n + s.size, 0);
  }
}

const welcome = { nodeId: 'n1', iceServers: [], heartbeatMs: 5000 };
const hello: ClientMessage = {
  type: 'hello',
  role: 'relay',
  region: 'eu-west',
  capacity: { uploadKbps: 1000, cacheBytes: 1000 },
  agent: 'node',
  protocol: 1,
};

describe('socketSignaling', () => {
  it('resolves a hello with the validated Welcome', async () => {
    const socket = new FakeSocket();
    socket.connected = true;
    const channel = socketSignaling(socket, { clock: new ManualClock() });
    const pending = channel.send(hello);
    socket.emitted[0]?.ack({ ok: true, ...welcome });
    await expect(pending).resolves.toEqual(welcome);
  });

  it('rejects with refused and keeps the error body when the ack says ok: false', async () => {
    const socket = new FakeSocket();
    socket.connected = true;
    const channel = socketSignaling(socket, { clock: new ManualClock() });
    const pending = channel.send({ type: 'join', streamId: 'nope' });
    socket.emitted[0]?.ack({ ok: false, error: { code: 'unknown-stream', message: 'no such stream' } });
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentError);
    expect(error).toMatchObject({ kind: 'refused', body: { code: 'unknown-stream' } });
  });

  it('rejects a malformed ack as bad-response', async () => {
    const socket = new FakeSocket();
    socket.connected = true;
    const channel = socketSignaling(socket, { clock: new ManualClock() });
    const pending = channel.send(hello);
    socket.emitted[0]?.ack({ ok: true, nodeId: 'bad id!' });
    await expect(pending).rejects.toMatchObject({ kind: 'bad-response' });
  });

  it('times out on the injected clock', async () => {
    const clock = new ManualClock();
    const socket = new FakeSocket();
    socket.connected = true;
    const channel = socketSignaling(socket, { clock, ackTimeoutMs: 1000, ackTimeoutsMs: { leave: 3000 } });
    const late = channel.send({ type: 'leave' }).catch((e: unknown) => e);
    const pending = channel.send({ type: 'have', streamId: 's', added: [], removed: [] });
    const result = pending.catch((e: unknown) => e);
    await clock.advance(1000);
    expect(await result).toMatchObject({ kind: 'timeout' });
    await clock.advance(2000);
    expect(await late).toMatchObject({ kind: 'timeout' });
  });

  it('fails pending sends on disconnect and refuses new ones until reconnected', async () => {
    const socket = new FakeSocket();
    socket.connected = true;
    const channel = socketSignaling(socket, { clock: new ManualClock() });
    const reasons: string[] = [];
    let reconnects = 0;
    channel.onDisconnect((r) => reasons.push(r));
    channel.onReconnect(() => reconnects++);
    const pending = channel.send({ type: 'leave' }).catch((e: unknown) => e);
    socket.connected = false;
    socket.fire('disconnect', 'transport close');
    expect(await pending).toMatchObject({ kind: 'disconnected' });
    await expect(channel.send({ type: 'leave' })).rejects.toMatchObject({ kind: 'disconnected' });
    expect(reasons).toEqual(['transport close']);
    socket.connected = true;
    socket.fire('connect');
    expect(reconnects).toBe(1);
  });

  it('does not count the first connect as a reconnect, and queues sends until it', async () => {
    const socket = new FakeSocket();
    const channel = socketSignaling(socket, { clock: new ManualClock() });
    let reconnects = 0;
    channel.onReconnect(() => reconnects++);
    const pending = channel.send({ type: 'leave' });
    expect(socket.emitted).toHaveLength(1);
    socket.connected = true;
    socket.fire('connect');
    socket.emitted[0]?.ack({ ok: true });
    await expect(pending).resolves.toEqual({});
    expect(reconnects).toBe(0);
  });

  it('delivers valid server messages and drops invalid ones', () => {
    const socket = new FakeSocket();
    const logs: string[] = [];
    const channel = socketSignaling(socket, { clock: new ManualClock(), log: (f) => logs.push(f) });
    const got: ServerMessage[] = [];
    channel.onMessage((m) => got.push(m));
    socket.fire('msg', { type: 'release', streamId: 'demo-live' });
    socket.fire('msg', { type: 'release', streamId: 'Not A Slug' });
    socket.fire('msg', 'garbage');
    expect(got).toEqual([{ type: 'release', streamId: 'demo-live' }]);
    expect(logs.filter((l) => l.startsWith('dropping'))).toHaveLength(2);
  });

  it('removes its socket listeners on dispose', () => {
    const socket = new FakeSocket();
    const channel = socketSignaling(socket, { clock: new ManualClock() });
    expect(socket.listenerCount()).toBe(3);
    channel.dispose();
    expect(socket.listenerCount()).toBe(0);
  });
});

describe('parseAck', () => {
  it('ignores extra fields on acks that carry no payload', () => {
    expect(parseAck('stats', { ok: true, extra: 1 })).toEqual({});
  });

  it('validates the table of contents a toc-query is answered with', () => {
    const toc = {
      streamId: 'live',
      from: 7,
      keys: ['http://o/seg-7.m4s'],
      indexed: { first: 5, last: 9 },
      holders: [
        {
          nodeId: 'r1',
          role: 'relay',
          name: 'relay-1',
          region: 'local',
          through: 9,
          segments: 5,
          upKbps: 1200,
          measuredMs: 10_000,
          capKbps: 20_000,
          spareKbps: 18_800,
          inTree: true,
        },
      ],
      total: 1,
    };
    expect(parseAck('toc-query', { ok: true, toc })).toEqual({ toc });
    expect(() => parseAck('toc-query', { ok: true, toc: { ...toc, holders: [{ nodeId: 'r1' }] } })).toThrow(
      /malformed ack for toc-query/,
    );
  });
});
