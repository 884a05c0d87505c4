/**
 * Human formatting of the figures the coordinator reports. Pure functions, no locale surprises:
 * a dot as decimal separator, SI (decimal) prefixes for both bits and bytes.
 */

const DASH = '–';

/** Rounds to one decimal below 10 and to an integer above, e.g. `4.2`, `42`, `420`. */
function compactNumber(value: number): string {
  return value < 9.95 ? value.toFixed(1) : Math.round(value).toString();
}

/**
 * A rate in kbit/s as `820 kbit/s`, `2.45 Mbit/s` or `1.2 Gbit/s`.
 * Megabits keep two decimals below 10 so the edge labels of a 2.5 Mbit/s stream stay distinct.
 */
export function formatKbps(kbps: number | null | undefined): string {
  if (kbps == null || !Number.isFinite(kbps)) return DASH;
  if (kbps < 1) return kbps === 0 ? '0 kbit/s' : '<1 kbit/s';
  if (kbps < 1000) return `${Math.round(kbps)} kbit/s`;
  const mbps = kbps / 1000;
  if (mbps < 10) return `${mbps.toFixed(2)} Mbit/s`;
  if (mbps < 1000) return `${compactNumber(mbps)} Mbit/s`;
  return `${compactNumber(mbps / 1000)} Gbit/s`;
}

/** An upload capacity in kbit/s, as whole-ish Mbit/s (`20 Mbit/s`, `0.5 Mbit/s`). */
export function formatCapacityMbps(kbps: number | null | undefined): string {
  if (kbps == null || !Number.isFinite(kbps)) return DASH;
  return `${compactNumber(kbps / 1000)} Mbit/s`;
}

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const;

/** A byte count with a decimal prefix: `512 B`, `1.5 kB`, `42 MB`, `1.2 GB`. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes == null || !Number.isFinite(bytes) || bytes < 0) return DASH;
  let value = bytes;
  let unit = 0;
  while (value >= 999.5 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  return `${compactNumber(value)} ${BYTE_UNITS[unit]}`;
}

/** A share in 0..1 as a percentage with one decimal: `73.4%`. */
export function formatShare(share: number | null | undefined): string {
  if (share == null || !Number.isFinite(share)) return DASH;
  const clamped = Math.min(1, Math.max(0, share));
  return `${(clamped * 100).toFixed(1)}%`;
}

/** A duration in milliseconds: `850 ms`, `1.2 s`, `2 min 5 s`. */
export function formatMs(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return DASH;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)} min ${whole % 60} s`;
}

/** Seconds of buffered media: `12.3 s`. */
export function formatBufferSec(sec: number | null | undefined): string {
  if (sec == null || !Number.isFinite(sec) || sec < 0) return DASH;
  return `${sec.toFixed(1)} s`;
}

/** How long ago `then` was, seen from `now` (both ms): `now`, `4 s ago`, `3 min ago`, `2 h ago`. */
export function formatAgo(then: number, now: number): string {
  const seconds = Math.floor((now - then) / 1000);
  if (seconds < 1) return 'now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

const pad2 = (n: number): string => n.toString().padStart(2, '0');

/** Local wall-clock time of an epoch-ms timestamp: `14:03:27`. */
export function formatClock(at: number): string {
  const d = new Date(at);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** Shortens `text` to `max` characters with an ellipsis in the middle, keeping both ends. */
export function ellipsize(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return '…';
  const head = Math.ceil((max - 1) / 2);
  const tail = Math.floor((max - 1) / 2);
  return `${text.slice(0, head)}…${tail > 0 ? text.slice(-tail) : ''}`;
}

/** Shortens `text` to `max` characters with an ellipsis at the end (for names: the start matters). */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return max <= 1 ? '…' : `${text.slice(0, max - 1)}…`;
}
