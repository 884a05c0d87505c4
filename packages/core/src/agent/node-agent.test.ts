import { describe, expect, it } from 'vitest';
import type { LinkRole, PeerLink } from '../engine/types.ts';
import type { StreamInfo } from '../protocol/index.ts';
import { SegmentStore } from '../store/segment-store.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { NodeAgent } from './node-agent.ts';
import { FakeHub, FakeSignaling } from './testing/fake-signaling.ts';
import { FakePeerNetwork } from './testing/fake-simple-peer.ts';
import type { AgentEngine, EngineStats, HelloFields } from './types.ts';

const stream: StreamInfo = {
  id: 'demo-live',
  title: 'Demo',
  url: 'http://127.0.0.1:8081/live/index.m3u8',
  bitrateKbps: 1000,
  live: true,
  createdAt: 0,
};

const relayHello: HelloFields = {
  role: 'relay',
  region: 'eu-west',
  capacity: { uploadKbps: 10_000, cacheBytes: 1_000_000 },
  agent: 'node',
};
const viewerHello: HelloFields = { ...relayHello, role: 'viewer', agent: 'browser' };

/** Records the links the agent hands over. */
class FakeEngine implements AgentEngine {
  readonly links: { streamId: string; peerId: string; role: LinkRole; link: PeerLink }[] = [];
  figures: EngineStats = { httpBytes: 10, p2pBytes: 20, uploadBytes: 30, links: [], storeBytes: 40 };
  addLink(streamId: string, link: PeerLink, role: LinkRole): void {
    this.links.push({ streamId, peerId: link.peerId, role, link });
  }
  stats(): EngineStats {
    return this.figures;
  }
}

interface Node {
  agent: NodeAgent;
  signaling: FakeSignaling;
  engine: FakeEngine;
  store: SegmentStore;
}

function setup(options: { freshIds?: boolean } = {}) {
  const clock = new ManualClock();
  const hub = new FakeHub(stream, 1_000);
  const net = new FakePeerNetwork();
  const make = (id: string, extra: Partial<ConstructorParameters<typeof NodeAgent>[0]> = {}): Node => {
    const signaling = hub.channel(id, options);
    const engine = new FakeEngine();
    const store = new SegmentStore({ capacityBytes: 1_000_000 });
    const agent = new NodeAgent({
      signaling,
      engine,
      store,
      peerFactory: net.factory,
      clock,
      connectTimeoutMs: 5_000,
      ...extra,
    });
    return { agent, signaling, engine, store };
  };
  return { clock, hub, net, make };
}

const parents = (ids: string[], origin = false) =>
  ({
    type: 'parents',
    streamId: stream.id,
    stream,
    parents: ids.map((id) => ({ id, role: 'relay' as const })),
    origin,
  }) as const;

describe('NodeAgent', () => {
  it('says hello with protocol 1 and sends heartbeats with engine and host figures', async () => {
    const { clock, make } = setup();
    const node = make('v1', { hostStats: () => ({ bufferSec: 12.5, stalls: 2 }) });
    const welcome = await node.agent.start(viewerHello);
    expect(welcome.nodeId).toBe('v1');
    expect(node.signaling.sent[0]).toEqual({ type: 'hello', protocol: 1, ...viewerHello });
    await clock.advance(2_000);
    const beats = node.signaling.sentOf('stats');
    expect(beats).toHaveLength(2);
    expect(beats[0]?.stats).toEqual({
      httpBytes: 10,
      p2pBytes: 20,
      uploadBytes: 30,
      links: [],
      storeBytes: 40,
      bufferSec: 12.5,
      stalls: 2,
    });
  });

  it('connects a child to its parent and hands both ends to the engines', async () => {
    const { clock, make } = setup();
    const relay = make('r1');
    const viewer = make('v1');
    await relay.agent.start(relayHello);
    await viewer.agent.start(viewerHello);
    expect(await viewer.agent.join(stream.id)).toEqual(stream);

    viewer.signaling.deliver(parents(['r1']));
    await clock.flush();

    expect(viewer.engine.links.map((l) => [l.peerId, l.role])).toEqual([['r1', 'parent']]);
    expect(relay.engine.links.map((l) => [l.peerId, l.role])).toEqual([['v1', 'child']]);
    expect(viewer.signaling.sentOf('connected')).toEqual([
      { type: 'connected', streamId: stream.id, parentId: 'r1' },
    ]);
    // The two links talk to each other.
    const got: (string | Uint8Array)[] = [];
    relay.engine.links[0]?.link.onMessage((d) => got.push(d));
    viewer.engine.links[0]?.link.send('{"type":"ping","nonce":1}');
    await clock.flush();
    expect(got).toEqual(['{"type":"ping","nonce":1}']);
  });

  it('keeps the old parent until the new one is connected (make-before-break)', async () => {
    const { clock, make, net } = setup();
    const r1 = make('r1');
    const r2 = make('r2');
    const viewer = make('v1');
    for (const n of [r1, r2]) await n.agent.start(relayHello);
    await viewer.agent.start(viewerHello);
    viewer.signaling.deliver(parents(['r1']));
    await clock.flush();
    const oldLink = viewer.engine.links[0]?.link;
    let oldClosed = false;
    oldLink?.onClose(() => (oldClosed = true));

    net.failNext(1); // the first attempt to r2 hangs until its timeout
    viewer.signaling.deliver(parents(['r2']));
    await clock.flush();
    expect(oldClosed).toBe(false);
    expect(viewer.agent.links(stream.id).map((l) => [l.peerId, l.state])).toEqual([
      ['r1', 'connected'],
      ['r2', 'connecting'],
    ]);

    await clock.advance(6_000); // the timeout, then the back-off before attempt 2
    expect(viewer.engine.links.map((l) => l.peerId)).toEqual(['r1', 'r2']);
    expect(oldClosed).toBe(true);
    expect(viewer.agent.links(stream.id).map((l) => l.peerId)).toEqual(['r2']);
    expect(viewer.signaling.sentOf('parent-failed')).toEqual([]);
  });

  it('retries a failed negotiation, then reports parent-failed', async () => {
    const { clock, make, net } = setup();
    const relay = make('r1');
    const viewer = make('v1');
    await relay.agent.start(relayHello);
    await viewer.agent.start(viewerHello);

    net.failNext(2, 'error');
    viewer.signaling.deliver(parents(['r1']));
    await clock.advance(1_000); // two quick failures, each followed by a short back-off
    expect(viewer.engine.links.map((l) => l.peerId)).toEqual(['r1']);
    expect(viewer.signaling.sentOf('parent-failed')).toEqual([]);

    net.failNext(3);
    viewer.signaling.deliver(parents(['r1-gone']));
    await clock.advance(20_000);
    expect(viewer.signaling.sentOf('parent-failed')).toEqual([
      {
        type: 'parent-failed',
        streamId: stream.id,
        parentId: 'r1-gone',
        reason: 'could not connect: connect timeout',
      },
    ]);
    // Every listed parent settled, so the old one is released.
    expect(viewer.agent.links(stream.id)).toEqual([]);
  });

  it('reports a parent whose link drops, and closes links on release', async () => {
    const { clock, make } = setup();
    const relay = make('r1');
    const viewer = make('v1');
    await relay.agent.start(relayHello);
    await viewer.agent.start(viewerHello);
    viewer.signaling.deliver(parents(['r1']));
    await clock.flush();

    const released: string[] = [];
    relay.agent.on('release', (id) => released.push(id));
    relay.signaling.deliver({ type: 'release', streamId: stream.id });
    await clock.flush();
    expect(released).toEqual([stream.id]);
    expect(relay.agent.links()).toEqual([]);
    expect(viewer.signaling.sentOf('parent-failed')).toEqual([
      { type: 'parent-failed', streamId: stream.id, parentId: 'r1', reason: 'closed by peer' },
    ]);
  });

  it('tells the host when origin fetches are allowed and withdrawn', async () => {
    const { clock, make } = setup();
    const relay = make('r1');
    await relay.agent.start(relayHello);
    const events: [string, boolean][] = [];
    relay.agent.on('origin', (id, allowed) => events.push([id, allowed]));
    relay.signaling.deliver(parents([], true));
    relay.signaling.deliver(parents([], true));
    expect(relay.agent.originAllowed(stream.id)).toBe(true);
    relay.signaling.deliver({ type: 'release', streamId: stream.id });
    await clock.flush();
    expect(events).toEqual([
      [stream.id, true],
      [stream.id, false],
    ]);
    expect(relay.agent.originAllowed(stream.id)).toBe(false);
  });

  it('batches store changes into have messages for assigned streams', async () => {
    const { clock, make } = setup();
    const relay = make('r1');
    await relay.agent.start(relayHello);
    const ref = (n: number) => ({ streamId: stream.id, url: `http://127.0.0.1:8081/live/${n}.m4s` });
    relay.store.put(ref(0), new Uint8Array(10)); // not assigned yet: not reported
    relay.signaling.deliver(parents([], true));
    relay.store.put(ref(1), new Uint8Array(10));
    relay.store.put(ref(2), new Uint8Array(10));
    relay.store.delete(ref(2));
    relay.store.delete(ref(0));
    await clock.advance(500);
    expect(relay.signaling.sentOf('have')).toEqual([
      { type: 'have', streamId: stream.id, added: [ref(1).url], removed: [ref(0).url] },
    ]);
  });

  it('processes server messages that arrive before the Welcome is handled', async () => {
    const { clock, make } = setup();
    const relay = make('r1');
    const starting = relay.agent.start(relayHello);
    relay.signaling.deliver(parents([], true));
    await starting;
    await clock.flush();
    expect(relay.agent.originAllowed(stream.id)).toBe(true);
  });

  it('says hello again and rejoins after a reconnect, keeping links when the id is unchanged', async () => {
    const { clock, make } = setup();
    const relay = make('r1');
    const viewer = make('v1');
    await relay.agent.start(relayHello);
    await viewer.agent.start(viewerHello);
    await viewer.agent.join(stream.id);
    viewer.signaling.deliver(parents(['r1']));
    await clock.flush();
    const states: string[] = [];
    viewer.agent.on('signaling', (s) => states.push(s));

    viewer.signaling.disconnect();
    await clock.advance(3_000);
    expect(viewer.signaling.sentOf('stats')).toHaveLength(0);
    viewer.signaling.reconnect();
    await clock.flush();

    expect(viewer.signaling.sentOf('hello')).toHaveLength(2);
    expect(viewer.signaling.sentOf('join')).toHaveLength(2);
    expect(states).toEqual(['disconnected', 'reconnected']);
    expect(viewer.agent.links(stream.id).map((l) => l.state)).toEqual(['connected']);
    await clock.advance(1_000);
    expect(viewer.signaling.sentOf('stats')).toHaveLength(1);
  });

  it('drops every link when the coordinator hands out a new id after a reconnect', async () => {
    const { clock, make } = setup({ freshIds: true });
    const relay = make('r1');
    const viewer = make('v1');
    await relay.agent.start(relayHello);
    await viewer.agent.start(viewerHello);
    await viewer.agent.join(stream.id);
    viewer.signaling.deliver(parents(['r1']));
    await clock.flush();

    viewer.signaling.disconnect();
    viewer.signaling.reconnect();
    await clock.flush();
    expect(viewer.agent.nodeId).toBe('v1-2');
    expect(viewer.agent.links()).toEqual([]);
    expect(viewer.signaling.sentOf('join')).toHaveLength(2);
    // No parent-failed for links the agent closed itself.
    expect(viewer.signaling.sentOf('parent-failed')).toEqual([]);
  });

  it('leaves before closing links, and stop() leaves every stream', async () => {
    const { clock, make } = setup();
    const relay = make('r1');
    const viewer = make('v1');
    await relay.agent.start(relayHello);
    await viewer.agent.start(viewerHello);
    viewer.signaling.deliver(parents(['r1']));
    await clock.flush();

    await relay.agent.stop();
    expect(relay.signaling.sentOf('leave')).toEqual([{ type: 'leave' }]);
    expect(relay.agent.links()).toEqual([]);
    await clock.advance(10_000);
    expect(relay.signaling.sentOf('stats')).toHaveLength(0);
    await expect(relay.agent.join(stream.id)).rejects.toMatchObject({ kind: 'state' });
  });

  it('answers a new offer from a child that retries', async () => {
    const { clock, make, net } = setup();
    const relay = make('r1');
    const viewer = make('v1');
    await relay.agent.start(relayHello);
    await viewer.agent.start(viewerHello);
    net.failNext(1);
    viewer.signaling.deliver(parents(['r1']));
    await clock.flush();
    expect(relay.agent.links().map((l) => l.state)).toEqual(['connecting']);
    await clock.advance(6_000);
    expect(relay.engine.links.map((l) => [l.peerId, l.role])).toEqual([['v1', 'child']]);
    expect(relay.agent.links().map((l) => l.state)).toEqual(['connected']);
  });

  it('builds the engine from the Welcome when given a factory, and rebuilds it for a new id', async () => {
    const { clock, make } = setup({ freshIds: true });
    const built: string[] = [];
    let destroyed = 0;
    const viewer = make('v1', {
      engine: (welcome) => {
        built.push(welcome.nodeId);
        const engine = new FakeEngine();
        return Object.assign(engine, { destroy: () => destroyed++ });
      },
    });
    expect(viewer.agent.engine).toBeUndefined();
    await viewer.agent.start(viewerHello);
    expect(viewer.agent.engine).toBeInstanceOf(FakeEngine);
    viewer.signaling.disconnect();
    viewer.signaling.reconnect();
    await clock.flush();
    expect(built).toEqual(['v1', 'v1-2']);
    expect(destroyed).toBe(1);
  });

  it('asks to distribute when its measured upload crosses the high mark, once per crossing, and to consolidate when it falls', async () => {
    const clock = new ManualClock();
    const net = new FakePeerNetwork();
    const answers: string[] = [];
    const signaling = new FakeSignaling((msg) => {
      if (msg.type === 'hello') {
        return { nodeId: 'r1', iceServers: [], heartbeatMs: 1000, loadMarks: { high: 0.8, low: 0.2 } };
      }
      if (msg.type === 'distribute' || msg.type === 'consolidate') {
        answers.push(msg.type);
        return { changed: msg.type === 'distribute' };
      }
      return {};
    });
    const engine = new FakeEngine();
    const agent = new NodeAgent({ signaling, engine, peerFactory: net.factory, clock, loadRetryMs: 5000 });
    const outcomes: Array<[string, boolean | undefined]> = [];
    agent.on('load', (request, changed) => outcomes.push([request.type, changed]));
    await agent.start(relayHello); // 10 000 kbit/s declared
    signaling.deliver(parents([], true));
    let bytes = 0;
    const second = async (load: number): Promise<void> => {
      bytes += (load * 10_000 * 1000) / 8;
      engine.figures = { ...engine.figures, uploadBytes: bytes };
      await clock.advance(1000);
    };
    for (let i = 0; i < 9; i++) await second(0.9);
    // Window of three heartbeats full at the 4th beat; repeated once after the retry interval.
    expect(signaling.sentOf('distribute')).toEqual([
      { type: 'distribute', streamId: stream.id, load: 0.9 },
      { type: 'distribute', streamId: stream.id, load: 0.9 },
    ]);
    for (let i = 0; i < 6; i++) await second(0.05);
    expect(signaling.sentOf('consolidate')).toEqual([
      { type: 'consolidate', streamId: stream.id, load: 0.05 },
    ]);
    expect(outcomes).toEqual([
      ['distribute', true],
      ['distribute', true],
      ['consolidate', false],
    ]);
    expect(answers).toHaveLength(3);
    // Stats went out on every beat regardless.
    expect(signaling.sentOf('stats')).toHaveLength(15);
    await agent.stop();
  });

  it('never asks without load marks in the welcome (a planner that does not grow on request)', async () => {
    const { clock, make } = setup();
    const node = make('r1');
    await node.agent.start(relayHello);
    node.signaling.deliver(parents([], true));
    for (let i = 1; i <= 10; i++) {
      node.engine.figures = { ...node.engine.figures, uploadBytes: i * 2_000_000 };
      await clock.advance(1000);
    }
    expect(node.signaling.sentOf('distribute')).toEqual([]);
    expect(node.signaling.sentOf('consolidate')).toEqual([]);
  });
});
