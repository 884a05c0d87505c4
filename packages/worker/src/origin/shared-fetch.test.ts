import { createCancelSource, type CancelToken, type SegmentRef } from '@p2pcdn/core';
import { describe, expect, it } from 'vitest';
import { SharedOriginFetch } from './shared-fetch.ts';

const seg: SegmentRef = { streamId: 's', url: 'http://o/seg-1.m4s' };

/** An origin whose transfers the test completes by hand. */
function manualOrigin() {
  const calls: { resolve: (d: Uint8Array) => void; cancel: CancelToken }[] = [];
  const fetchOne = (_s: SegmentRef, cancel: CancelToken) =>
    new Promise<Uint8Array>((resolve, reject) => {
      calls.push({ resolve, cancel });
      cancel.onCancel(() => reject(new Error('aborted')));
    });
  return { calls, fetchOne };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('SharedOriginFetch', () => {
  it('shares one transfer between concurrent callers and says it was shared', async () => {
    const origin = manualOrigin();
    const shared = new SharedOriginFetch(origin.fetchOne);
    const a = shared.join(seg);
    const b = shared.join(seg);
    await tick();
    expect(origin.calls).toHaveLength(1);
    origin.calls[0]?.resolve(new Uint8Array([1, 2]));
    expect(await a).toEqual({ data: new Uint8Array([1, 2]), shared: true });
    expect(await b).toMatchObject({ shared: true });
    expect(shared.size).toBe(0);
  });

  it('reports a lone transfer as not shared, and starts afresh afterwards', async () => {
    const origin = manualOrigin();
    const shared = new SharedOriginFetch(origin.fetchOne);
    const a = shared.join(seg);
    await tick();
    origin.calls[0]?.resolve(new Uint8Array([1]));
    expect(await a).toMatchObject({ shared: false });
    void shared.join(seg);
    await tick();
    expect(origin.calls).toHaveLength(2);
  });

  it('keeps the transfer while a caller remains, and cancels it when the last one leaves', async () => {
    const origin = manualOrigin();
    const shared = new SharedOriginFetch(origin.fetchOne);
    const first = createCancelSource();
    const second = createCancelSource();
    const a = shared.join(seg, first.token).catch((e: unknown) => e);
    const b = shared.join(seg, second.token).catch((e: unknown) => e);
    await tick();
    first.cancel();
    expect(await a).toMatchObject({ kind: 'cancelled' });
    expect(origin.calls[0]?.cancel.cancelled).toBe(false);
    second.cancel();
    expect(await b).toMatchObject({ kind: 'cancelled' });
    expect(origin.calls[0]?.cancel.cancelled).toBe(true);
  });
});
