import { describe, expect, it } from 'vitest';
import { STREAM_COLORS, edgeWidth, streamColor } from './graph-style.ts';

describe('graph-style', () => {
  it('gives each stream the colour of its position, wrapping around', () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    expect(streamColor('a', ids)).toBe(STREAM_COLORS[0]);
    expect(streamColor('b', ids)).toBe(STREAM_COLORS[1]);
    expect(streamColor('g', ids)).toBe(STREAM_COLORS[0]);
    expect(streamColor('unknown', ids)).toBe(STREAM_COLORS[0]);
  });

  it('widens edges with throughput, from 1 px idle up to a cap', () => {
    expect(edgeWidth(0)).toBe(1);
    expect(edgeWidth(Number.NaN)).toBe(1);
    expect(edgeWidth(2500)).toBeGreaterThan(edgeWidth(500));
    expect(edgeWidth(500)).toBeGreaterThan(1);
    expect(edgeWidth(10_000_000)).toBe(7);
  });
});
