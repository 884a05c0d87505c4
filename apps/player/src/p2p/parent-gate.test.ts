import {
  createCancelSource,
  ManualClock,
  type LoadedSegment,
  type ParentReadiness,
  type SegmentRef,
} from '@p2pcdn/core';
import { describe, expect, it } from 'vitest';
import type { SegmentSourcePort } from '../playback/fragment-loader.ts';
import { gateOnParents, type ParentStatus } from './parent-gate.ts';

const REF: SegmentRef = { streamId: 'demo-live', url: 'http://127.0.0.1:8081/live/seg-1.m4s' };

class FakeStatus implements ParentStatus {
  state: ParentReadiness = { state: 'connecting', sinceMs: 0 };
  setupMs = 200;
  private listeners = new Set<() => void>();
  readiness(): ParentReadiness {
    return this.state;
  }
  typicalSetupMs(): number {
    return this.setupMs;
  }
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  set(state: ParentReadiness): void {
    this.state = state;
    for (const listener of [...this.listeners]) listener();
  }
  get listening(): number {
    return this.listeners.size;
  }
}

function setup() {
  const clock = new ManualClock();
  const status = new FakeStatus();
  const calls: Array<{ bufferAheadSec: number; at: number }> = [];
  const inner: SegmentSourcePort = {
    load: async (_ref, { bufferAheadSec }): Promise<LoadedSegment> => {
      calls.push({ bufferAheadSec, at: clock.now() });
      return { data: new Uint8Array(1), source: 'p2p' };
    },
  };
  const source = gateOnParents(inner, status, clock);
  return { clock, status, calls, source };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const token = () => createCancelSource().token;

describe('gateOnParents', () => {
  it('passes straight through when a parent is connected or none is coming', async () => {
    const { status, calls, source } = setup();
    status.state = { state: 'connected' };
    await source.load(REF, { bufferAheadSec: 4, cancel: token() });
    status.state = { state: 'none' };
    await source.load(REF, { bufferAheadSec: 0, cancel: token() });
    expect(calls).toEqual([
      { bufferAheadSec: 4, at: 0 },
      { bufferAheadSec: 0, at: 0 },
    ]);
  });

  it('at startup waits for a connecting parent until it connects', async () => {
    const { clock, status, calls, source } = setup();
    const loading = source.load(REF, { bufferAheadSec: 0, cancel: token() });
    await flush();
    expect(calls).toHaveLength(0);
    await clock.advance(150);
    status.set({ state: 'connected' });
    await loading;
    expect(calls).toEqual([{ bufferAheadSec: 0, at: 150 }]);
    expect(status.listening).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('gives a connecting parent only the typical setup time (with tolerance), not seconds', async () => {
    const { clock, calls, source } = setup();
    // Assigned at 0, typical setup 200 ms: due at 200 × 1.5 + 100 = 400 ms.
    const loading = source.load(REF, { bufferAheadSec: 0, cancel: token() });
    await clock.advance(399);
    await flush();
    expect(calls).toHaveLength(0);
    await clock.advance(1);
    await loading;
    expect(calls).toEqual([{ bufferAheadSec: 0, at: 400 }]);
  });

  it('does not wait for a parent that is already late', async () => {
    const { clock, status, calls, source } = setup();
    await clock.advance(5000);
    status.state = { state: 'connecting', sinceMs: 0 };
    await source.load(REF, { bufferAheadSec: 0, cancel: token() });
    expect(calls).toEqual([{ bufferAheadSec: 0, at: 5000 }]);
  });

  it('waits for the assignment, then judges the assigned parents by their own deadline', async () => {
    const { clock, status, calls, source } = setup();
    status.state = { state: 'assigning', sinceMs: 0 };
    const loading = source.load(REF, { bufferAheadSec: 0, cancel: token() });
    await clock.advance(100);
    status.set({ state: 'connecting', sinceMs: 100 });
    await clock.advance(399);
    await flush();
    expect(calls).toHaveLength(0);
    await clock.advance(1);
    await loading;
    expect(calls).toEqual([{ bufferAheadSec: 0, at: 500 }]);
  });

  it('never waits more than a second in all at startup, however slow setups are here', async () => {
    const { clock, status, calls, source } = setup();
    status.setupMs = 4000;
    status.state = { state: 'assigning', sinceMs: 0 };
    const loading = source.load(REF, { bufferAheadSec: 0, cancel: token() });
    await clock.advance(600);
    status.set({ state: 'connecting', sinceMs: 600 });
    await clock.advance(400);
    await loading;
    expect(calls).toEqual([{ bufferAheadSec: 0, at: 1000 }]);
  });

  it('with media buffered spends only the buffer above the reserve, and hands on what is left', async () => {
    const { clock, status, calls, source } = setup();
    await clock.advance(10_000);
    status.state = { state: 'connecting', sinceMs: 0 };
    const loading = source.load(REF, { bufferAheadSec: 2.5, cancel: token() });
    await clock.advance(500);
    await loading;
    expect(calls[0]?.bufferAheadSec).toBeCloseTo(2);
    expect(calls[0]?.at).toBe(10_500);
  });

  it('does not wait when the buffer is within the reserve', async () => {
    const { clock, calls, source } = setup();
    await clock.advance(10_000);
    await source.load(REF, { bufferAheadSec: 1.5, cancel: token() });
    expect(calls).toEqual([{ bufferAheadSec: 1.5, at: 10_000 }]);
  });

  it('stops waiting when cancelled', async () => {
    const { clock, status, calls, source } = setup();
    const cancel = createCancelSource();
    const loading = source.load(REF, { bufferAheadSec: 0, cancel: cancel.token });
    await flush();
    cancel.cancel();
    await loading;
    expect(calls).toHaveLength(1);
    expect(status.listening).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });
});
