import { describe, expect, it } from 'vitest';
import {
  ellipsize,
  formatAgo,
  formatBufferSec,
  formatBytes,
  formatCapacityMbps,
  formatClock,
  formatKbps,
  formatMs,
  formatShare,
  truncate,
} from './format.ts';

describe('format', () => {
  it('formats rates in kbit/s below one megabit and in Mbit/s above', () => {
    expect(formatKbps(0)).toBe('0 kbit/s');
    expect(formatKbps(0.4)).toBe('<1 kbit/s');
    expect(formatKbps(812.6)).toBe('813 kbit/s');
    expect(formatKbps(2450)).toBe('2.45 Mbit/s');
    expect(formatKbps(42_000)).toBe('42 Mbit/s');
    expect(formatKbps(1_250_000)).toBe('1.3 Gbit/s');
  });

  it('shows a dash for missing or non-finite rates', () => {
    expect(formatKbps(undefined)).toBe('–');
    expect(formatKbps(null)).toBe('–');
    expect(formatKbps(Number.NaN)).toBe('–');
  });

  it('formats upload capacity as Mbit/s', () => {
    expect(formatCapacityMbps(20_000)).toBe('20 Mbit/s');
    expect(formatCapacityMbps(500)).toBe('0.5 Mbit/s');
  });

  it('formats bytes with decimal prefixes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1500)).toBe('1.5 kB');
    expect(formatBytes(42_000_000)).toBe('42 MB');
    expect(formatBytes(1_234_000_000)).toBe('1.2 GB');
    expect(formatBytes(-1)).toBe('–');
  });

  it('rounds up to the next unit instead of printing 1000 kB', () => {
    expect(formatBytes(999_700)).toBe('1.0 MB');
  });

  it('formats shares as percentages, clamped to 0..100', () => {
    expect(formatShare(0.7342)).toBe('73.4%');
    expect(formatShare(1.2)).toBe('100.0%');
    expect(formatShare(undefined)).toBe('–');
  });

  it('formats durations and buffers', () => {
    expect(formatMs(850)).toBe('850 ms');
    expect(formatMs(1234)).toBe('1.2 s');
    expect(formatMs(125_000)).toBe('2 min 5 s');
    expect(formatBufferSec(12.345)).toBe('12.3 s');
    expect(formatBufferSec(undefined)).toBe('–');
  });

  it('formats relative times from the snapshot clock', () => {
    expect(formatAgo(10_000, 10_400)).toBe('now');
    expect(formatAgo(10_000, 14_000)).toBe('4 s ago');
    expect(formatAgo(0, 3 * 60_000)).toBe('3 min ago');
    expect(formatAgo(0, 2 * 3_600_000)).toBe('2 h ago');
  });

  it('formats wall-clock times as HH:MM:SS', () => {
    expect(formatClock(new Date(2024, 0, 1, 9, 3, 7).getTime())).toBe('09:03:07');
  });

  it('truncates names at the end', () => {
    expect(truncate('fra-1.relays.example', 10)).toBe('fra-1.rel…');
    expect(truncate('short', 10)).toBe('short');
  });

  it('shortens long ids in the middle', () => {
    expect(ellipsize('short', 10)).toBe('short');
    expect(ellipsize('abcdefghijkl', 7)).toBe('abc…jkl');
  });
});
