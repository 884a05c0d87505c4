import { describe, expect, it } from 'vitest';
import { LiveSegment, LiveSegments, type LiveSegmentEnd } from './live-segment.ts';

function watch(live: LiveSegment): { progress: number[]; ends: LiveSegmentEnd[] } {
  const seen = { progress: [] as number[], ends: [] as LiveSegmentEnd[] };
  live.observe({ onProgress: () => seen.progress.push(live.forwardable), onEnd: (e) => seen.ends.push(e) });
  return seen;
}

describe('LiveSegment', () => {
  it('makes received bytes forwardable, all but the last until complete', () => {
    const live = new LiveSegment(new Uint8Array(100));
    const seen = watch(live);
    live.progress(40);
    live.progress(30); // never backwards
    live.progress(100);
    expect(live.forwardable).toBe(99);
    live.complete();
    expect(live.forwardable).toBe(100);
    expect(seen).toEqual({ progress: [40, 99], ends: [{ ok: true }] });
  });

  it('fails instead of completing when bytes are missing, and ignores progress after its end', () => {
    const live = new LiveSegment(new Uint8Array(100));
    const seen = watch(live);
    live.progress(50);
    live.complete();
    live.progress(100);
    expect(seen.ends).toEqual([{ ok: false, reason: 'completed with 50 of 100 bytes' }]);
    expect(live.forwardable).toBe(50);
    expect(watch(live).ends).toHaveLength(1);
  });

  it('stops calling an observer that unsubscribed', () => {
    const live = new LiveSegment(new Uint8Array(10));
    const calls: string[] = [];
    const stop = live.observe({ onProgress: () => calls.push('p'), onEnd: () => calls.push('e') });
    stop();
    live.progress(5);
    live.fail('gone');
    expect(calls).toEqual([]);
  });
});

describe('LiveSegments', () => {
  it('hands a segment to its waiters and forgets it when it ends', () => {
    const registry = new LiveSegments();
    const got: LiveSegment[] = [];
    registry.waitFor('k', (l) => got.push(l));
    const unsubscribed = registry.waitFor('k', () => got.push(new LiveSegment(new Uint8Array(0))));
    unsubscribed();
    const live = new LiveSegment(new Uint8Array(10));
    registry.add('k', live);
    expect(got).toEqual([live]);
    expect(registry.get('k')).toBe(live);
    live.fail('gone');
    expect(registry.get('k')).toBeUndefined();
  });

  it('fails every live segment on failAll', () => {
    const registry = new LiveSegments();
    const live = new LiveSegment(new Uint8Array(10));
    registry.add('k', live);
    registry.failAll('engine destroyed');
    expect(live.end).toEqual({ ok: false, reason: 'engine destroyed' });
  });
});
