import {
  FakePeerNetwork,
  NodeAgent,
  socketSignaling,
  type AgentEngine,
  type NodeRole,
  type PeerClientToServerEvents,
  type PeerServerToClientEvents,
} from '@p2pcdn/core';
import { io as connectClient, type Socket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/system-clock.ts';
import { LIVE, startTestStack, type TestStack } from './harness.ts';

/**
 * The real node agent from core (what tabs and workers run) against the real coordinator, with
 * in-memory peers instead of WebRTC: proves both sides read the protocol the same way.
 */

let stack: TestStack;
const cleanups: Array<() => Promise<void> | void> = [];
const network = new FakePeerNetwork();

const idleEngine = (): AgentEngine => ({
  addLink: () => {},
  stats: () => ({ httpBytes: 0, p2pBytes: 0, uploadBytes: 0, links: [] }),
});

async function agent(role: NodeRole, uploadKbps: number, name: string): Promise<NodeAgent> {
  const socket: Socket<PeerServerToClientEvents, PeerClientToServerEvents> = connectClient(
    `${stack.running.url}/peer`,
    { transports: ['websocket'], forceNew: true, reconnection: false },
  );
  const signaling = socketSignaling(socket, { clock: systemClock });
  const node = new NodeAgent({
    signaling,
    engine: idleEngine(),
    peerFactory: network.factory,
    clock: systemClock,
  });
  cleanups.push(async () => {
    await node.stop();
    signaling.dispose();
    socket.close();
  });
  await node.start({ role, name, region: 'local', capacity: { uploadKbps, cacheBytes: 0 }, agent: 'node' });
  return node;
}

/** Resolves once `check` holds, polling the coordinator's state (no timing assumptions). */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`never happened: ${what}`);
}

beforeEach(async () => {
  stack = await startTestStack({ leaveTimeoutMs: 30_000 });
  stack.running.coordinator.addStream(LIVE);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await stack.dispose();
});

describe('core NodeAgent against the coordinator', () => {
  it('joins, connects along the planned edge and confirms it', async () => {
    const relay = await agent('relay', 20_000, 'relay-1');
    const viewer = await agent('viewer', 0, 'tab');
    expect(await viewer.join('live')).toEqual(LIVE);
    const { coordinator } = stack.running;
    await until(
      () => coordinator.isConfirmed('live', viewer.nodeId ?? '', relay.nodeId ?? ''),
      'edge confirmed',
    );
    expect(viewer.assignments()).toEqual([
      { streamId: 'live', stream: LIVE, parents: [relay.nodeId], origin: false },
    ]);
    expect(relay.originAllowed('live')).toBe(true);
  });

  it('moves children before a relay leaves, without waiting for the timeout', async () => {
    const r1 = await agent('relay', 20_000, 'relay-1');
    const r2 = await agent('relay', 20_000, 'relay-2');
    const viewer = await agent('viewer', 0, 'tab');
    await viewer.join('live');
    const { coordinator } = stack.running;
    await until(() => coordinator.isConfirmed('live', viewer.nodeId ?? '', r1.nodeId ?? ''), 'first edge');
    await r1.leave(); // the leave timeout is 30 s: this returns because the viewer confirmed
    expect(coordinator.nodes.has(r1.nodeId ?? '')).toBe(false);
    expect(coordinator.planner.member('live', viewer.nodeId ?? '')?.parent).toBe(r2.nodeId);
    expect(coordinator.isConfirmed('live', viewer.nodeId ?? '', r2.nodeId ?? '')).toBe(true);
  });
});
