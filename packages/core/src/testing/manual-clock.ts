import type { Clock, TimerHandle } from '../engine/types.ts';

interface PendingTimer {
  id: number;
  due: number;
  /** Insertion order, so timers due at the same instant fire first-come first-served. */
  seq: number;
  fn: () => void;
}

/** Microtask turns {@link ManualClock.flush} yields, enough to settle deep promise chains. */
const FLUSH_TURNS = 200;

/**
 * A {@link Clock} that only moves when a test says so. Timers fire in due order during
 * {@link ManualClock.advance}, with pending promise callbacks settled between firings, so code
 * that mixes timers and promises behaves as it would on a real event loop.
 */
export class ManualClock implements Clock {
  private current: number;
  private nextId = 1;
  private nextSeq = 0;
  private readonly timers = new Map<number, PendingTimer>();

  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    this.timers.set(id, { id, due: this.current + delay, seq: this.nextSeq++, fn });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    if (typeof handle === 'number') this.timers.delete(handle);
  }

  /** Number of timers scheduled and not yet fired or cleared. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Lets queued promise callbacks run without moving time. */
  async flush(): Promise<void> {
    for (let i = 0; i < FLUSH_TURNS; i++) await Promise.resolve();
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way (including timers
   * those timers schedule), in due order. A timer that throws stops the advance with its error.
   */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.current + Math.max(0, ms));
  }

  /** Moves time forward to `target` (never backwards); see {@link ManualClock.advance}. */
  async advanceTo(target: number): Promise<void> {
    await this.flush();
    for (;;) {
      const next = this.earliestDue(target);
      if (!next) break;
      this.timers.delete(next.id);
      this.current = Math.max(this.current, next.due);
      next.fn();
      await this.flush();
    }
    this.current = Math.max(this.current, target);
    await this.flush();
  }

  private earliestDue(limit: number): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const timer of this.timers.values()) {
      if (timer.due > limit) continue;
      if (!best || timer.due < best.due || (timer.due === best.due && timer.seq < best.seq)) best = timer;
    }
    return best;
  }
}
