import { createCancelSource, ManualClock, type LoadedSegment, type SegmentRef } from '@p2pcdn/core';
import { describe, expect, it } from 'vitest';
import type { SegmentSourcePort } from '../playback/fragment-loader.ts';
import { gateOnParents, type ParentStatus } from './parent-gate.ts';

const REF: SegmentRef = { streamId: 'demo-live', url: 'http://127.0.0.1:8081/live/seg-1.m4s' };

class FakeStatus implements ParentStatus {
  isConnecting = true;
  private listeners = new Set<() => void>();
  connecting(): boolean {
    return this.isConnecting;
  }
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  connect(): void {
    this.isConnecting = false;
    for (const listener of [...this.listeners]) listener();
  }
  get listening(): number {
    return this.listeners.size;
  }
}

function setup() {
  const clock = new ManualClock();
  const status = new FakeStatus();
  const calls: Array<{ bufferAheadSec: number }> = [];
  const inner: SegmentSourcePort = {
    load: async (_ref, { bufferAheadSec }): Promise<LoadedSegment> => {
      calls.push({ bufferAheadSec });
      return { data: new Uint8Array(1), source: 'p2p' };
    },
  };
  const source = gateOnParents(inner, status, clock, { startupWaitMs: 2000, reserveSec: 2 });
  return { clock, status, calls, source };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('gateOnParents', () => {
  it('passes straight through when no parent is connecting', async () => {
    const { status, calls, source } = setup();
    status.isConnecting = false;
    await source.load(REF, { bufferAheadSec: 4, cancel: createCancelSource().token });
    expect(calls).toEqual([{ bufferAheadSec: 4 }]);
  });

  it('waits at startup until a parent connects', async () => {
    const { clock, status, calls, source } = setup();
    const loading = source.load(REF, { bufferAheadSec: 0, cancel: createCancelSource().token });
    await flush();
    expect(calls).toHaveLength(0);
    await clock.advance(300);
    status.connect();
    await loading;
    expect(calls).toEqual([{ bufferAheadSec: 0 }]);
    expect(status.listening).toBe(0);
  });

  it('gives up after the startup wait', async () => {
    const { clock, calls, source } = setup();
    const loading = source.load(REF, { bufferAheadSec: 0, cancel: createCancelSource().token });
    await clock.advance(1999);
    await flush();
    expect(calls).toHaveLength(0);
    await clock.advance(1);
    await loading;
    expect(calls).toHaveLength(1);
  });

  it('spends only the buffer above the reserve, and hands on what is left', async () => {
    const { clock, calls, source } = setup();
    const loading = source.load(REF, { bufferAheadSec: 2.5, cancel: createCancelSource().token });
    await clock.advance(500);
    await loading;
    expect(calls[0]?.bufferAheadSec).toBeCloseTo(2);
  });

  it('does not wait when the buffer is within the reserve', async () => {
    const { calls, source } = setup();
    await source.load(REF, { bufferAheadSec: 1.5, cancel: createCancelSource().token });
    expect(calls).toEqual([{ bufferAheadSec: 1.5 }]);
  });

  it('stops waiting when cancelled', async () => {
    const { calls, source } = setup();
    const cancel = createCancelSource();
    const loading = source.load(REF, { bufferAheadSec: 0, cancel: cancel.token });
    cancel.cancel();
    await loading;
    expect(calls).toHaveLength(1);
  });
});
