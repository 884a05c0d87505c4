import { AdminSnapshotSchema, type AdminSnapshot } from '@p2pcdn/core';
import { io as connectClient, type Socket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIVE, startTestStack, TEST_TOKEN, TestPeer, type TestStack } from './harness.ts';

let stack: TestStack;
const sockets: Socket[] = [];

beforeEach(async () => {
  stack = await startTestStack({ snapshotIntervalMs: 1000 });
  stack.running.coordinator.addStream(LIVE);
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await stack.dispose();
});

function admin(auth?: Record<string, unknown>): Socket {
  const socket = connectClient(`${stack.running.url}/admin`, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(auth ? { auth } : {}),
  });
  sockets.push(socket);
  return socket;
}

const refusal = (socket: Socket): Promise<string> =>
  new Promise((resolve) => socket.once('connect_error', (error) => resolve(error.message)));
const snapshot = (socket: Socket): Promise<AdminSnapshot> =>
  new Promise((resolve) => socket.once('snapshot', resolve));

describe('admin namespace', () => {
  it('refuses connections without the right operator token, saying why', async () => {
    expect(await refusal(admin())).toMatch(/operator token required/);
    expect(await refusal(admin({ token: 42 }))).toMatch(/operator token required/);
    expect(await refusal(admin({ token: 'wrong-token' }))).toMatch(/operator token refused/);
  });

  it('pushes a valid snapshot at once and then every interval', async () => {
    const relay = await TestPeer.connect(stack.running.url);
    await relay.hello('relay', 20_000, 'relay-1');
    const viewer = await TestPeer.connect(stack.running.url);
    await viewer.hello('viewer');
    await viewer.request({ type: 'join', streamId: 'live' });

    const socket = admin({ token: TEST_TOKEN });
    const first = await snapshot(socket);
    expect(AdminSnapshotSchema.safeParse(first).error).toBeUndefined();
    expect(first.nodes.map((n) => n.role).sort()).toEqual(['origin', 'relay', 'viewer']);
    expect(first.edges).toHaveLength(2);
    expect(first.figures).toEqual([expect.objectContaining({ streamId: 'live', viewers: 1, relays: 1 })]);
    expect(first.events.map((e) => e.kind)).toEqual(expect.arrayContaining(['stream', 'join', 'activate']));

    const next = snapshot(socket);
    await stack.clock.advance(1000);
    expect(AdminSnapshotSchema.safeParse(await next).success).toBe(true);
    relay.close();
    viewer.close();
  });
});
