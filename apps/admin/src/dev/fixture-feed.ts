import type { StoreApi } from 'zustand/vanilla';
import { makeSnapshotFixture } from '../fixtures/snapshot-fixture.ts';
import type { AdminState } from '../store/admin-store.ts';

/**
 * Development only (`vite` with `?fixture`): feeds the store a fake snapshot every second, the
 * tree growing and shrinking by a viewer every 10 s, so the UI can be worked on without the stack.
 */
export function startFixtureFeed(store: StoreApi<AdminState>): () => void {
  let tick = 0;
  const push = () => {
    const liveViewers = 28 + (Math.floor(tick / 10) % 4);
    store.getState().receiveSnapshot(makeSnapshotFixture({ tick, liveViewers }), Date.now());
    tick += 1;
  };
  store.getState().setConnection({ status: 'connected', message: 'fixture feed' });
  push();
  const timer = setInterval(push, 1000);
  return () => clearInterval(timer);
}
