import { describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock.ts';

describe('ManualClock', () => {
  it('fires timers in due order, equal times first-come first-served', async () => {
    const clock = new ManualClock(1000);
    const order: string[] = [];
    clock.setTimeout(() => order.push('b'), 20);
    clock.setTimeout(() => order.push('a'), 10);
    clock.setTimeout(() => order.push('c'), 20);
    await clock.advance(15);
    expect(order).toEqual(['a']);
    expect(clock.now()).toBe(1015);
    await clock.advance(5);
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('shows each timer the time it was due at', async () => {
    const clock = new ManualClock();
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(clock.now()), 30);
    await clock.advance(100);
    expect(seen).toEqual([30]);
    expect(clock.now()).toBe(100);
  });

  it('fires timers scheduled by timers within the same advance', async () => {
    const clock = new ManualClock();
    const seen: number[] = [];
    const tick = (): void => {
      seen.push(clock.now());
      if (seen.length < 3) clock.setTimeout(tick, 10);
    };
    clock.setTimeout(tick, 10);
    await clock.advance(100);
    expect(seen).toEqual([10, 20, 30]);
  });

  it('settles promise callbacks between timers', async () => {
    const clock = new ManualClock();
    const seen: string[] = [];
    clock.setTimeout(() => {
      void Promise.resolve().then(() => seen.push('microtask'));
    }, 10);
    clock.setTimeout(() => seen.push('second timer'), 10);
    await clock.advance(10);
    expect(seen).toEqual(['microtask', 'second timer']);
  });

  it('does not fire cleared timers', async () => {
    const clock = new ManualClock();
    let fired = false;
    const handle = clock.setTimeout(() => (fired = true), 10);
    clock.clearTimeout(handle);
    await clock.advance(50);
    expect(fired).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('treats negative and NaN delays as zero', async () => {
    const clock = new ManualClock();
    let calls = 0;
    clock.setTimeout(() => calls++, -5);
    clock.setTimeout(() => calls++, Number.NaN);
    await clock.advance(0);
    expect(calls).toBe(2);
  });
});
