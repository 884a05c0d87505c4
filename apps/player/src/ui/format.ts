/** Human-readable byte count: `0 B`, `980 B`, `1.5 kB`, `12.3 MB` (powers of 1000, like network rates). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1000) return `${Math.max(0, Math.round(bytes || 0))} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 'B';
  for (const next of units) {
    if (value < 1000) break;
    value /= 1000;
    unit = next;
  }
  return `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0)} ${unit}`;
}

/** A 0..1 share as a percentage with one decimal: `87.5 %`. */
export function formatShare(share: number): string {
  return `${(Math.min(1, Math.max(0, share)) * 100).toFixed(1)} %`;
}

/** Milliseconds, or a dash when not measured yet. */
export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** Seconds with one decimal: `8.2 s`. */
export function formatSec(sec: number): string {
  return `${sec.toFixed(1)} s`;
}

/** A rate in bytes per second as bits per second: `950 bit/s`, `2.40 Mbit/s` (powers of 1000). */
export function formatBitRate(bytesPerSecond: number): string {
  const bits = Math.max(0, (Number.isFinite(bytesPerSecond) ? bytesPerSecond : 0) * 8);
  if (bits < 1000) return `${Math.round(bits)} bit/s`;
  const units = ['kbit/s', 'Mbit/s', 'Gbit/s'];
  let value = bits / 1000;
  let unit = units[0] ?? 'kbit/s';
  for (const next of units.slice(1)) {
    if (value < 1000) break;
    value /= 1000;
    unit = next;
  }
  return `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0)} ${unit}`;
}
