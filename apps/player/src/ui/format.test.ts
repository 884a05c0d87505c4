import { describe, expect, it } from 'vitest';
import { formatBitRate, formatBytes, formatMs, formatSec, formatShare } from './format.ts';

describe('format', () => {
  it('formats bytes in decimal units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1500)).toBe('1.50 kB');
    expect(formatBytes(12_345_678)).toBe('12.3 MB');
    expect(formatBytes(456_000_000)).toBe('456 MB');
  });

  it('formats byte rates as bit rates', () => {
    expect(formatBitRate(0)).toBe('0 bit/s');
    expect(formatBitRate(100)).toBe('800 bit/s');
    expect(formatBitRate(300_000)).toBe('2.40 Mbit/s');
    expect(formatBitRate(2_500_000_000)).toBe('20.0 Gbit/s');
    expect(formatBitRate(Number.NaN)).toBe('0 bit/s');
  });

  it('formats shares, milliseconds and seconds', () => {
    expect(formatShare(0.875)).toBe('87.5 %');
    expect(formatShare(1.2)).toBe('100.0 %');
    expect(formatMs(null)).toBe('—');
    expect(formatMs(2.345)).toBe('2.3 ms');
    expect(formatMs(812.6)).toBe('813 ms');
    expect(formatSec(8.24)).toBe('8.2 s');
  });
});
