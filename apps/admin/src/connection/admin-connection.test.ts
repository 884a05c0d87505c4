import { describe, expect, it } from 'vitest';
import { makeSnapshotFixture } from '../fixtures/snapshot-fixture.ts';
import { createAdminStore } from '../store/admin-store.ts';
import { connectAdmin, type AdminSocket } from './admin-connection.ts';

type Listener = (...args: unknown[]) => void;

/** Just enough of a socket.io client socket to drive `connectAdmin`. */
class FakeSocket {
  active = true;
  disconnected = false;
  readonly listeners = new Map<string, Listener[]>();
  readonly managerListeners = new Map<string, Listener[]>();
  readonly io = {
    on: (event: string, fn: Listener) => this.add(this.managerListeners, event, fn),
    removeAllListeners: () => this.managerListeners.clear(),
  };
  on(event: string, fn: Listener) {
    this.add(this.listeners, event, fn);
    return this;
  }
  removeAllListeners() {
    this.listeners.clear();
  }
  disconnect() {
    this.disconnected = true;
  }
  fire(event: string, ...args: unknown[]) {
    for (const fn of this.listeners.get(event) ?? []) fn(...args);
  }
  fireManager(event: string, ...args: unknown[]) {
    for (const fn of this.managerListeners.get(event) ?? []) fn(...args);
  }
  private add(map: Map<string, Listener[]>, event: string, fn: Listener) {
    map.set(event, [...(map.get(event) ?? []), fn]);
  }
}

function setup() {
  const store = createAdminStore();
  store.getState().setToken('t0k3n');
  const socket = new FakeSocket();
  let opened: string | undefined;
  const close = connectAdmin('t0k3n', store, (token) => {
    opened = token;
    return socket as unknown as AdminSocket;
  });
  return { store, socket, close, opened: () => opened };
}

describe('admin-connection', () => {
  it('opens the socket with the token and reports connected', () => {
    const { store, socket, opened } = setup();
    expect(opened()).toBe('t0k3n');
    expect(store.getState().connection.status).toBe('connecting');
    socket.fire('connect');
    expect(store.getState().connection.status).toBe('connected');
  });

  it('stores validated snapshots', () => {
    const { store, socket } = setup();
    socket.fire('snapshot', makeSnapshotFixture());
    expect(store.getState().snapshot?.nodes.length).toBeGreaterThan(40);
    socket.fire('snapshot', { nonsense: true });
    expect(store.getState().rejected.count).toBe(1);
  });

  it('forgets the token and shows why when the coordinator refuses it', () => {
    const { store, socket } = setup();
    socket.active = false;
    socket.fire('connect_error', new Error('operator token refused: it does not match'));
    expect(socket.disconnected).toBe(true);
    expect(store.getState().token).toBeNull();
    expect(store.getState().connection).toEqual({
      status: 'refused',
      message: 'Operator token refused: it does not match.',
    });
  });

  it('reports reconnecting with the attempt while socket.io retries', () => {
    const { store, socket } = setup();
    socket.fire('connect');
    socket.fire('disconnect', 'transport close');
    expect(store.getState().connection.status).toBe('reconnecting');
    socket.fireManager('reconnect_attempt', 3);
    expect(store.getState().connection).toMatchObject({ status: 'reconnecting', attempt: 3 });
    socket.fire('connect_error', new Error('xhr poll error'));
    expect(store.getState().connection.status).toBe('reconnecting');
    expect(store.getState().token).toBe('t0k3n');
  });

  it('reports a connection the server closed as disconnected', () => {
    const { store, socket } = setup();
    socket.fire('disconnect', 'io server disconnect');
    expect(store.getState().connection.status).toBe('disconnected');
  });

  it('closes the socket and stops listening when disposed', () => {
    const { socket, close } = setup();
    close();
    expect(socket.disconnected).toBe(true);
    expect(socket.listeners.size).toBe(0);
  });
});
