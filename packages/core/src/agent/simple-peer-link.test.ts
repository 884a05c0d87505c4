import { describe, expect, it } from 'vitest';
import { FakePeerNetwork, type FakeSimplePeer } from './testing/fake-simple-peer.ts';
import { simplePeerLink } from './simple-peer-link.ts';

const tick = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

/** Two connected fake peers. */
async function connectedPair(): Promise<[FakeSimplePeer, FakeSimplePeer]> {
  const net = new FakePeerNetwork();
  const a = net.factory({ initiator: true, iceServers: [] }) as FakeSimplePeer;
  const b = net.factory({ initiator: false, iceServers: [] }) as FakeSimplePeer;
  a.on('signal', (s: never) => b.signal(s));
  b.on('signal', (s: never) => a.signal(s));
  await tick();
  expect(a.connected && b.connected).toBe(true);
  return [a, b];
}

const utf8 = (text: string): Uint8Array =>
  Uint8Array.from(unescape(encodeURIComponent(text)), (c) => c.charCodeAt(0));

describe('simplePeerLink', () => {
  it('passes text and binary frames through', async () => {
    const [a, b] = await connectedPair();
    const linkA = simplePeerLink(a, 'b');
    const linkB = simplePeerLink(b, 'a');
    const got: (string | Uint8Array)[] = [];
    linkB.onMessage((d) => got.push(d));
    linkA.send('{"type":"ping","nonce":1}');
    linkA.send(new Uint8Array([1, 0, 0, 0, 7]));
    await tick();
    expect(got).toEqual(['{"type":"ping","nonce":1}', new Uint8Array([1, 0, 0, 0, 7])]);
  });

  it('decodes text frames that simple-peer delivered as bytes (JSON starts with "{")', async () => {
    const [, b] = await connectedPair();
    const link = simplePeerLink(b, 'a');
    const got: (string | Uint8Array)[] = [];
    link.onMessage((d) => got.push(d));
    const emitData = (b as unknown as { emit(e: string, d: unknown): void }).emit.bind(b);
    emitData('data', utf8('{"name":"wörld"}'));
    emitData('data', new Uint8Array([1, 2, 3]).buffer);
    expect(got).toEqual(['{"name":"wörld"}', new Uint8Array([1, 2, 3])]);
  });

  it('queues messages until the engine subscribes', async () => {
    const [a, b] = await connectedPair();
    const linkB = simplePeerLink(b, 'a');
    a.send('{"first":1}');
    await tick();
    const got: (string | Uint8Array)[] = [];
    linkB.onMessage((d) => got.push(d));
    expect(got).toEqual(['{"first":1}']);
  });

  it('fires onClose once, for local and remote closes', async () => {
    const [a, b] = await connectedPair();
    const linkA = simplePeerLink(a, 'b');
    const linkB = simplePeerLink(b, 'a');
    const reasons: (string | undefined)[] = [];
    linkA.onClose((r) => reasons.push(`a:${r}`));
    linkB.onClose((r) => reasons.push(`b:${r}`));
    linkA.close();
    linkA.close();
    await tick();
    expect(reasons).toEqual(['a:closed locally', 'b:closed by peer']);
    const late: (string | undefined)[] = [];
    linkA.onClose((r) => late.push(r));
    expect(late).toEqual(['closed locally']);
  });

  it('turns a send on a dead channel into a close instead of throwing', async () => {
    const [a] = await connectedPair();
    const link = simplePeerLink(a, 'b');
    let closed = false;
    link.onClose(() => (closed = true));
    a.connected = false;
    expect(() => link.send('{}')).not.toThrow();
    expect(closed).toBe(true);
  });

  it("wakes the engine on the DataChannel's bufferedamountlow, at the engine's low-water mark", async () => {
    const [a] = await connectedPair();
    const listeners: (() => void)[] = [];
    const channel = {
      bufferedAmountLowThreshold: 65_536,
      addEventListener: (_type: 'bufferedamountlow', listener: () => void) => listeners.push(listener),
    };
    Object.assign(a, { _channel: channel });
    const link = simplePeerLink(a, 'b');
    let drained = 0;
    link.onBufferedAmountLow?.(512 * 1024, () => drained++);
    expect(channel.bufferedAmountLowThreshold).toBe(512 * 1024);
    for (const l of listeners) l();
    expect(drained).toBe(1);
    link.close();
    for (const l of listeners) l();
    expect(drained).toBe(1);
  });

  it('leaves backpressure to polling when the peer exposes no DataChannel', async () => {
    const [a] = await connectedPair();
    const link = simplePeerLink(a, 'b');
    expect(() => link.onBufferedAmountLow?.(1024, () => {})).not.toThrow();
  });
});
