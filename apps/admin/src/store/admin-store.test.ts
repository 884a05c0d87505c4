import { describe, expect, it } from 'vitest';
import { makeSnapshotFixture } from '../fixtures/snapshot-fixture.ts';
import { createAdminStore } from './admin-store.ts';

describe('admin-store', () => {
  it('keeps the latest snapshot and a bounded history per stream', () => {
    const store = createAdminStore({ historyLength: 5 });
    for (let tick = 0; tick < 12; tick += 1)
      store.getState().receiveSnapshot(makeSnapshotFixture({ tick }), tick);
    const state = store.getState();
    expect(state.snapshot?.at).toBe(makeSnapshotFixture({ tick: 11 }).at);
    expect(state.receivedAt).toBe(11);
    expect(state.histories['demo-live']?.t).toHaveLength(5);
    expect(state.histories['demo-vod']?.originKbps).toHaveLength(5);
  });

  it('rejects snapshots that fail validation and keeps the previous one', () => {
    const store = createAdminStore();
    const good = makeSnapshotFixture();
    store.getState().receiveSnapshot(good, 1);
    store.getState().receiveSnapshot({ ...good, nodes: 'nope' }, 2);
    const state = store.getState();
    expect(state.snapshot?.at).toBe(good.at);
    expect(state.rejected.count).toBe(1);
    expect(state.rejected.lastReason).toMatch(/nodes/);
  });

  it('accumulates the event log across snapshots without duplicates', () => {
    const store = createAdminStore();
    store.getState().receiveSnapshot(makeSnapshotFixture({ tick: 0 }), 0);
    const after1 = store.getState().events.length;
    store.getState().receiveSnapshot(makeSnapshotFixture({ tick: 0 }), 1);
    expect(store.getState().events).toHaveLength(after1);
    store.getState().receiveSnapshot(makeSnapshotFixture({ tick: 10 }), 2);
    expect(store.getState().events).toHaveLength(after1 + 1);
    expect(store.getState().events[0]?.message).toContain('tick 10');
  });

  it('forgets the data on sign-out', () => {
    const store = createAdminStore();
    store.getState().setToken('secret');
    expect(store.getState().connection.status).toBe('connecting');
    store.getState().receiveSnapshot(makeSnapshotFixture(), 0);
    store.getState().setToken(null);
    const state = store.getState();
    expect(state.snapshot).toBeNull();
    expect(state.histories).toEqual({});
    expect(state.connection.status).toBe('signed-out');
  });
});

describe('admin-store connection', () => {
  it('forgets a refused token and keeps the reason for the form', () => {
    const store = createAdminStore();
    store.getState().setToken('wrong');
    store.getState().refuse('The coordinator refused this operator token (bad token).');
    const state = store.getState();
    expect(state.token).toBeNull();
    expect(state.connection).toEqual({
      status: 'refused',
      message: 'The coordinator refused this operator token (bad token).',
    });
  });

  it('bumps the epoch to reconnect with the same token', () => {
    const store = createAdminStore();
    store.getState().setToken('t');
    store.getState().setConnection({ status: 'disconnected' });
    store.getState().reconnect();
    expect(store.getState().epoch).toBe(1);
    expect(store.getState().connection.status).toBe('connecting');
  });
  it('remembers the node whose sources are shown, and forgets it on sign-out', () => {
    const store = createAdminStore();
    store.getState().setToken('t');
    store.getState().selectNode('v-live-0001');
    expect(store.getState().selectedNodeId).toBe('v-live-0001');
    store.getState().selectNode(null);
    expect(store.getState().selectedNodeId).toBeNull();
    store.getState().selectNode('r-ams-1');
    store.getState().setToken(null);
    expect(store.getState().selectedNodeId).toBeNull();
  });
});
