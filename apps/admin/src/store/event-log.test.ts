import type { AdminEvent } from '@p2pcdn/core';
import { describe, expect, it } from 'vitest';
import { mergeEvents } from './event-log.ts';

const ev = (at: number, message = `event ${at}`): AdminEvent => ({ at, kind: 'join', message });

describe('event-log', () => {
  it('turns the snapshot window (newest last) into a log newest first', () => {
    expect(mergeEvents([], [ev(1), ev(2), ev(3)]).map((e) => e.at)).toEqual([3, 2, 1]);
  });

  it('adds only events not seen before as the window slides', () => {
    const log = mergeEvents([], [ev(1), ev(2), ev(3)]);
    const next = mergeEvents(log, [ev(2), ev(3), ev(4)]);
    expect(next.map((e) => e.at)).toEqual([4, 3, 2, 1]);
  });

  it('keeps distinct events that share a timestamp', () => {
    const log = mergeEvents([], [ev(1, 'a'), ev(1, 'b')]);
    expect(log).toHaveLength(2);
  });

  it('is bounded, dropping the oldest', () => {
    const many = Array.from({ length: 30 }, (_, i) => ev(i));
    const log = mergeEvents([], many, 10);
    expect(log).toHaveLength(10);
    expect(log[0]?.at).toBe(29);
    expect(log[9]?.at).toBe(20);
  });
});
