import { describe, expect, it } from 'vitest';
import type { PeerSignal } from '../protocol/index.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { PeerConnections, type PeerConnectionsOptions } from './peer-connections.ts';
import { FakePeerNetwork, type FakeSimplePeer } from './testing/fake-simple-peer.ts';

function setup(overrides: Partial<PeerConnectionsOptions> = {}) {
  const clock = new ManualClock();
  const net = new FakePeerNetwork();
  const sent: { to: string; signal: PeerSignal }[] = [];
  const logs: string[] = [];
  const connections = new PeerConnections({
    clock,
    peerFactory: net.factory,
    iceServers: () => [],
    sendSignal: (_streamId, to, signal) => sent.push({ to, signal }),
    onOpen: () => {},
    onParentFailed: () => {},
    onLost: () => {},
    connectTimeoutMs: 5_000,
    attempts: 3,
    retryDelayMs: 100,
    maxConnections: 8,
    log: (format) => logs.push(format),
    ...overrides,
  });
  return { clock, net, sent, logs, connections };
}

const offer = (session?: string): PeerSignal => ({
  type: 'offer',
  sdp: 'offer nobody',
  ...(session ? { session } : {}),
});
const candidate = (session?: string): PeerSignal => ({
  type: 'candidate',
  candidate: { candidate: 'candidate:1', sdpMid: '0' },
  ...(session ? { session } : {}),
});

describe('PeerConnections', () => {
  it('stamps every signal of an attempt with its session, candidates after the description', async () => {
    const { clock, sent, connections, net } = setup();
    connections.connectToParent('s', 'p');
    const peer = net.peers[0] as FakeSimplePeer;
    // A candidate trickled before the offer is held back until the offer went out.
    (peer as unknown as { emit(e: string, d: unknown): void }).emit('signal', candidate());
    await clock.flush();
    expect(sent.map((s) => ('type' in s.signal ? s.signal.type : '?'))).toEqual(['offer', 'candidate']);
    const sessions = new Set(sent.map((s) => ('session' in s.signal ? s.signal.session : undefined)));
    expect(sessions.size).toBe(1);
    expect([...sessions][0]).toMatch(/^[a-z0-9]+-1$/);
  });

  it('drops signals of another attempt and duplicate offers on the answering side', () => {
    const { connections, net } = setup();
    connections.handleSignal('s', 'c', offer('one'));
    connections.handleSignal('s', 'c', candidate('one'));
    connections.handleSignal('s', 'c', candidate('zero'));
    connections.handleSignal('s', 'c', offer('one'));
    expect(net.peers).toHaveLength(1);
    expect(net.peers[0]?.received).toEqual([
      { type: 'offer', sdp: 'offer nobody' },
      { type: 'candidate', candidate: { candidate: 'candidate:1', sdpMid: '0' } },
    ]);
    connections.handleSignal('s', 'c', offer('two'));
    expect(net.peers).toHaveLength(2);
    expect(net.peers[0]?.destroyed).toBe(true);
    connections.handleSignal('s', 'c', candidate('one'));
    expect(net.peers[1]?.received).toHaveLength(1);
  });

  it('ignores an answer from an abandoned attempt on the initiating side', async () => {
    const { clock, connections, net } = setup();
    net.failNext(1);
    connections.connectToParent('s', 'p');
    await clock.advance(5_000); // attempt 1 times out; attempt 2 waits for its back-off
    expect(net.peers).toHaveLength(1);
    expect(connections.list('s')).toEqual([
      { streamId: 's', peerId: 'p', role: 'parent', state: 'connecting' },
    ]);
    await clock.advance(200);
    expect(net.peers).toHaveLength(2);
    const stale: PeerSignal = { type: 'answer', sdp: 'answer x', session: 'not-this-one' };
    connections.handleSignal('s', 'p', stale);
    expect(net.peers[1]?.received).toEqual([]);
  });

  it('accepts signals without a session from peers that do not send one', () => {
    const { connections, net } = setup();
    connections.handleSignal('s', 'c', offer());
    connections.handleSignal('s', 'c', candidate());
    expect(net.peers[0]?.received).toHaveLength(2);
  });
});
