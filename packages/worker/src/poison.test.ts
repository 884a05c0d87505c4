import { encodeBlockFrame, encodeDataFrame, encodePeerMessage } from '@p2pcdn/core';
import { describe, expect, it } from 'vitest';
import { Poisoner } from './poison.ts';

describe('Poisoner', () => {
  const payload = Uint8Array.from({ length: 1000 }, (_, i) => i % 256);

  it('flips one payload byte of the chosen fraction of data and block frames, on a copy', () => {
    let n = 0;
    // Alternates "corrupt" and "keep"; the offset draw lands mid-payload.
    const poisoner = new Poisoner(0.5, () => (n++ % 3 === 0 ? 0.1 : 0.5));
    const frame = encodeDataFrame({ id: 1, offset: 0, payload });
    const out = poisoner.taint(frame);
    expect(out).not.toBe(frame);
    expect(out.subarray(0, 9)).toEqual(frame.subarray(0, 9));
    expect(out.filter((b, i) => b !== frame[i])).toHaveLength(1);
    expect(frame.subarray(9)).toEqual(payload);
    const block = encodeBlockFrame({ sub: 1, seq: 2, payload });
    expect(poisoner.taint(block)).toBe(block);
    expect(poisoner.stats).toEqual({ blocksSent: 2, blocksCorrupted: 1 });
  });

  it('never touches control messages or other frames, and refuses a fraction outside 0…1', () => {
    const poisoner = new Poisoner(1);
    const control = new TextEncoder().encode(encodePeerMessage({ type: 'ping', nonce: 1 }));
    expect(poisoner.taint(control)).toBe(control);
    expect(poisoner.stats.blocksSent).toBe(0);
    expect(() => new Poisoner(1.5)).toThrow(RangeError);
  });
});
