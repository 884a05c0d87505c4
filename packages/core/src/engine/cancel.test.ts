import { describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/manual-clock.ts';
import { createCancelSource, linkedCancelSource } from './cancel.ts';

describe('createCancelSource', () => {
  it('fires each listener once and reports the state', () => {
    const source = createCancelSource();
    let calls = 0;
    source.token.onCancel(() => calls++);
    expect(source.token.cancelled).toBe(false);
    source.cancel();
    source.cancel();
    expect(calls).toBe(1);
    expect(source.token.cancelled).toBe(true);
    expect(source.cancelled).toBe(true);
  });

  it('calls a listener added after cancellation at once', () => {
    const source = createCancelSource();
    source.cancel();
    let called = false;
    source.token.onCancel(() => (called = true));
    expect(called).toBe(true);
  });

  it('lets a listener unsubscribe', () => {
    const source = createCancelSource();
    let calls = 0;
    const off = source.token.onCancel(() => calls++);
    off();
    source.cancel();
    expect(calls).toBe(0);
  });

  it('runs every listener even if one throws, then rethrows', () => {
    const source = createCancelSource();
    let later = false;
    source.token.onCancel(() => {
      throw new Error('boom');
    });
    source.token.onCancel(() => (later = true));
    expect(() => source.cancel()).toThrow('boom');
    expect(later).toBe(true);
  });
});

describe('linkedCancelSource', () => {
  it('follows a parent token', () => {
    const parent = createCancelSource();
    const child = linkedCancelSource([parent.token]);
    parent.cancel();
    expect(child.cancelled).toBe(true);
  });

  it('starts cancelled when a parent already is', () => {
    const parent = createCancelSource();
    parent.cancel();
    expect(linkedCancelSource([undefined, parent.token]).cancelled).toBe(true);
  });

  it('cancels itself after the timeout and not before', async () => {
    const clock = new ManualClock();
    const child = linkedCancelSource([], { clock, ms: 100 });
    await clock.advance(99);
    expect(child.cancelled).toBe(false);
    await clock.advance(1);
    expect(child.cancelled).toBe(true);
  });

  it('clears its timer on dispose', async () => {
    const clock = new ManualClock();
    const child = linkedCancelSource([], { clock, ms: 100 });
    child.dispose();
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(200);
    expect(child.cancelled).toBe(false);
  });
});
