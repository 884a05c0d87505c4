import type { StoreApi } from 'zustand/vanilla';
import { makeForestFixture } from '../fixtures/forest-fixture.ts';
import { makeSnapshotFixture } from '../fixtures/snapshot-fixture.ts';
import type { AdminState } from '../store/admin-store.ts';

/** Which fake coordinator `?fixture=<kind>` runs. */
export type FixtureKind =
  /** The tiered planner: farms, stripes, forecasts (default). */
  | 'tiered'
  /** The tiered planner with about 2 000 nodes. */
  | 'big'
  /** The skeleton planner: no tree members, forecasts nor planner settings. */
  | 'skeleton';

/** The fixture kind named by a `?fixture` query value (anything unknown: tiered). */
export function fixtureKind(value: string | null): FixtureKind {
  return value === 'big' || value === 'skeleton' ? value : 'tiered';
}

/**
 * Development only (`vite` with `?fixture[=tiered|big|skeleton]`): feeds the store a fake snapshot
 * every second, the audience growing and shrinking every 10 s, so the UI can be worked on without
 * the stack.
 */
export function startFixtureFeed(store: StoreApi<AdminState>, kind: FixtureKind = 'tiered'): () => void {
  let tick = 0;
  const push = () => {
    const wave = Math.floor(tick / 10) % 4;
    const snapshot =
      kind === 'skeleton'
        ? makeSnapshotFixture({ tick, liveViewers: 28 + wave })
        : makeForestFixture({
            tick,
            liveViewers: kind === 'big' ? 1650 + wave * 5 : 38 + wave,
            vodViewers: kind === 'big' ? 150 : 8,
          });
    store.getState().receiveSnapshot(snapshot, Date.now());
    tick += 1;
  };
  store.getState().setConnection({ status: 'connected', message: `fixture feed (${kind})` });
  push();
  const timer = setInterval(push, 1000);
  return () => clearInterval(timer);
}
