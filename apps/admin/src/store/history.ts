import type { AdminSnapshot, StreamFigures, StreamId } from '@p2pcdn/core';

/** Samples kept per stream: five minutes at one snapshot a second. */
export const DEFAULT_HISTORY_LENGTH = 300;

/**
 * One stream's figures over time, column by column as uPlot wants them. Rates derived from
 * cumulative counters are `null` for the first sample and whenever a counter went backwards
 * (nodes left and took their counters with them).
 */
export interface StreamHistory {
  /** Snapshot times, in seconds (uPlot's x unit). */
  t: number[];
  /** Cumulative P2P share as reported, 0..1. */
  p2pShare: number[];
  /** P2P share of the bytes delivered since the previous sample, 0..1. */
  intervalP2pShare: (number | null)[];
  /** Origin egress as peers report it, kbit/s. */
  originKbps: number[];
  /** Origin egress the origin itself counted, kbit/s (when it reports bytes). */
  originMeasuredKbps: (number | null)[];
  /** Everything viewers and relays received (P2P + HTTP), kbit/s. */
  deliveredKbps: (number | null)[];
  /** Counters of the last sample, to derive the next rates. */
  last: { at: number; p2pBytes: number; httpBytes: number; originMeasuredBytes: number | null };
}

/** Appends `value` to `column`, dropping the oldest entries beyond `limit`. Returns a new array. */
export function pushBounded<T>(column: readonly T[], value: T, limit: number): T[] {
  const start = Math.max(0, column.length + 1 - limit);
  const next = column.slice(start);
  next.push(value);
  return next;
}

function rateKbps(bytes: number, ms: number): number | null {
  return bytes < 0 || ms <= 0 ? null : (bytes * 8) / ms;
}

/**
 * Adds the figures of one snapshot to a stream's history (a new object; the old one is untouched).
 * A snapshot not newer than the last sample is ignored, so reconnects cannot draw time backwards.
 */
export function appendFigures(
  history: StreamHistory | undefined,
  figures: StreamFigures,
  at: number,
  limit = DEFAULT_HISTORY_LENGTH,
): StreamHistory {
  if (history && at <= history.last.at) return history;
  const measured = figures.originMeasuredBytes ?? null;
  const last = {
    at,
    p2pBytes: figures.p2pBytes,
    httpBytes: figures.httpBytes,
    originMeasuredBytes: measured,
  };
  let interval: number | null = null;
  let delivered: number | null = null;
  let originMeasured: number | null = null;
  if (history) {
    const ms = at - history.last.at;
    const p2p = figures.p2pBytes - history.last.p2pBytes;
    const http = figures.httpBytes - history.last.httpBytes;
    if (p2p >= 0 && http >= 0) {
      delivered = rateKbps(p2p + http, ms);
      interval = p2p + http > 0 ? p2p / (p2p + http) : null;
    }
    if (measured !== null && history.last.originMeasuredBytes !== null) {
      originMeasured = rateKbps(measured - history.last.originMeasuredBytes, ms);
    }
  }
  const base = history ?? {
    t: [],
    p2pShare: [],
    intervalP2pShare: [],
    originKbps: [],
    originMeasuredKbps: [],
    deliveredKbps: [],
  };
  return {
    t: pushBounded(base.t, at / 1000, limit),
    p2pShare: pushBounded(base.p2pShare, figures.p2pShare, limit),
    intervalP2pShare: pushBounded(base.intervalP2pShare, interval, limit),
    originKbps: pushBounded(base.originKbps, figures.originKbps, limit),
    originMeasuredKbps: pushBounded(base.originMeasuredKbps, originMeasured, limit),
    deliveredKbps: pushBounded(base.deliveredKbps, delivered, limit),
    last,
  };
}

/** Histories of every stream in `snapshot`; streams no longer listed are dropped. */
export function appendSnapshot(
  histories: Readonly<Record<StreamId, StreamHistory>>,
  snapshot: AdminSnapshot,
  limit = DEFAULT_HISTORY_LENGTH,
): Record<StreamId, StreamHistory> {
  const next: Record<StreamId, StreamHistory> = {};
  for (const figures of snapshot.figures) {
    next[figures.streamId] = appendFigures(histories[figures.streamId], figures, snapshot.at, limit);
  }
  return next;
}
