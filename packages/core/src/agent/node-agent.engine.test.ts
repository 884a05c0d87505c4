import { describe, expect, it } from 'vitest';
import { PeerEngine } from '../engine/peer-engine.ts';
import type { OriginFetch } from '../engine/types.ts';
import type { SegmentRef, StreamInfo } from '../protocol/index.ts';
import { SegmentStore } from '../store/segment-store.ts';
import { patternBytes, sameBytes } from '../testing/engine-harness.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { NodeAgent } from './node-agent.ts';
import { FakeHub } from './testing/fake-signaling.ts';
import { FakePeerNetwork } from './testing/fake-simple-peer.ts';

const stream: StreamInfo = {
  id: 'demo-live',
  title: 'Demo',
  url: 'http://127.0.0.1:8081/live/index.m3u8',
  bitrateKbps: 1000,
  live: true,
  createdAt: 0,
};
const segment: SegmentRef = { streamId: stream.id, url: 'http://127.0.0.1:8081/live/seg-7.m4s' };
const bytes = patternBytes(200_000, 7);

/** A node as hosts build it: agent + store + a PeerEngine made from the Welcome. */
function node(clock: ManualClock, hub: FakeHub, net: FakePeerNetwork, id: string, originFetch?: OriginFetch) {
  const store = new SegmentStore({ capacityBytes: 10_000_000 });
  const signaling = hub.channel(id);
  let allowed = false;
  const agent: NodeAgent = new NodeAgent({
    signaling,
    store,
    peerFactory: net.factory,
    clock,
    engine: (welcome) =>
      new PeerEngine({
        nodeId: welcome.nodeId,
        clock,
        store,
        pingIntervalMs: 0,
        ...(originFetch ? { originFetch, allowOrigin: () => allowed } : {}),
      }),
  });
  agent.on('origin', (_id, ok) => (allowed = ok));
  const engine = (): PeerEngine => agent.engine as PeerEngine;
  return { agent, store, engine, signaling };
}

describe('NodeAgent with the peer engine', () => {
  it('delivers a segment from the origin through a relay to a viewer over agent-built links', async () => {
    const clock = new ManualClock();
    const hub = new FakeHub(stream);
    const net = new FakePeerNetwork();
    let originRequests = 0;
    const relay = node(clock, hub, net, 'r1', async () => {
      originRequests++;
      return bytes;
    });
    const viewer = node(clock, hub, net, 'v1');
    await relay.agent.start({
      role: 'relay',
      region: 'eu',
      capacity: { uploadKbps: 10_000, cacheBytes: 1 },
      agent: 'node',
    });
    await viewer.agent.start({
      role: 'viewer',
      region: 'eu',
      capacity: { uploadKbps: 0, cacheBytes: 1 },
      agent: 'node',
    });
    await viewer.agent.join(stream.id);

    // The coordinator lets the relay fetch from the origin and puts the viewer under it.
    relay.signaling.deliver({
      type: 'parents',
      streamId: stream.id,
      stream,
      parents: [],
      origin: true,
    });
    viewer.signaling.deliver({
      type: 'parents',
      streamId: stream.id,
      stream,
      parents: [{ id: 'r1', role: 'relay' }],
      origin: false,
    });
    await clock.advance(100);
    expect(viewer.engine().hasParents(stream.id)).toBe(true);

    const pending = viewer.engine().fetchFromPeers(segment, { timeoutMs: 5_000 });
    await clock.advance(1_000);
    const got = await pending;
    expect(got?.source).toBe('p2p');
    expect(got?.peerId).toBe('r1');
    // A byte loop, not toEqual: deep-equality of a 200 kB array takes seconds on a busy machine.
    expect(sameBytes(got?.data, bytes)).toBe(true);
    expect(originRequests).toBe(1);
    expect(relay.store.has(segment)).toBe(true);
    expect(viewer.agent.collectStats().p2pBytes).toBe(bytes.byteLength);
    expect(relay.agent.collectStats().uploadBytes).toBeGreaterThanOrEqual(bytes.byteLength);
  });
});
