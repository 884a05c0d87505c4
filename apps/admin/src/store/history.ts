import type { AdminSnapshot, StreamFigures, StreamId } from '@p2pcdn/core';

/** Samples kept per stream: five minutes at one snapshot a second. */
export const DEFAULT_HISTORY_LENGTH = 300;

/**
 * Rates derived from cumulative counters span this many samples (about five seconds): segments
 * arrive in bursts every few seconds, so per-second differences would jump between 0 and twice
 * the bitrate.
 */
export const RATE_WINDOW = 5;

/**
 * One stream's figures over time, column by column as uPlot wants them. Rates derived from
 * cumulative counters cover the last {@link RATE_WINDOW} samples; they are `null` for the first
 * sample and right after a counter went backwards (a restart, or nodes leaving with their counters).
 */
export interface StreamHistory {
  /** Snapshot times, in seconds (uPlot's x unit). */
  t: number[];
  /** Cumulative P2P share as reported, 0..1. */
  p2pShare: number[];
  /** P2P share of the bytes delivered over the rate window, 0..1. */
  intervalP2pShare: (number | null)[];
  /** Origin egress as peers report it, kbit/s. */
  originKbps: number[];
  /** Origin egress the origin itself counted, kbit/s (when it reports bytes). */
  originMeasuredKbps: (number | null)[];
  /** Everything viewers and relays received (P2P + HTTP), kbit/s. */
  deliveredKbps: (number | null)[];
  /** The cumulative counters behind the rates, same length as the other columns. */
  counters: {
    at: number[];
    p2pBytes: number[];
    httpBytes: number[];
    originMeasuredBytes: (number | null)[];
  };
}

/** Appends `value` to `column`, dropping the oldest entries beyond `limit`. Returns a new array. */
export function pushBounded<T>(column: readonly T[], value: T, limit: number): T[] {
  const start = Math.max(0, column.length + 1 - limit);
  const next = column.slice(start);
  next.push(value);
  return next;
}

/**
 * Index of the sample to measure a rate from: {@link RATE_WINDOW} samples back, or the first
 * sample after the latest drop of a counter within the window.
 */
function rateBase(columns: readonly (readonly (number | null)[])[], length: number): number {
  let base = Math.max(0, length - RATE_WINDOW);
  for (let i = length - 1; i > base; i -= 1) {
    const dropped = columns.some((c) => {
      const now = c[i];
      const before = c[i - 1];
      return now != null && before != null && now < before;
    });
    if (dropped) {
      base = i;
      break;
    }
  }
  return base;
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
  const counters = history?.counters ?? { at: [], p2pBytes: [], httpBytes: [], originMeasuredBytes: [] };
  const length = counters.at.length;
  if (length > 0 && at <= (counters.at[length - 1] ?? 0)) return history ?? emptyHistory();
  const measured = figures.originMeasuredBytes ?? null;
  let interval: number | null = null;
  let delivered: number | null = null;
  let originMeasured: number | null = null;
  if (length > 0) {
    const base = rateBase([counters.p2pBytes, counters.httpBytes], length);
    const ms = at - (counters.at[base] ?? at);
    const p2p = figures.p2pBytes - (counters.p2pBytes[base] ?? 0);
    const http = figures.httpBytes - (counters.httpBytes[base] ?? 0);
    if (p2p >= 0 && http >= 0) {
      delivered = rateKbps(p2p + http, ms);
      interval = p2p + http > 0 ? p2p / (p2p + http) : null;
    }
    const measuredBase = rateBase([counters.originMeasuredBytes], length);
    const before = counters.originMeasuredBytes[measuredBase];
    if (measured !== null && before != null) {
      originMeasured = rateKbps(measured - before, at - (counters.at[measuredBase] ?? at));
    }
  }
  const base = history ?? emptyHistory();
  return {
    t: pushBounded(base.t, at / 1000, limit),
    p2pShare: pushBounded(base.p2pShare, figures.p2pShare, limit),
    intervalP2pShare: pushBounded(base.intervalP2pShare, interval, limit),
    originKbps: pushBounded(base.originKbps, figures.originKbps, limit),
    originMeasuredKbps: pushBounded(base.originMeasuredKbps, originMeasured, limit),
    deliveredKbps: pushBounded(base.deliveredKbps, delivered, limit),
    counters: {
      at: pushBounded(counters.at, at, limit),
      p2pBytes: pushBounded(counters.p2pBytes, figures.p2pBytes, limit),
      httpBytes: pushBounded(counters.httpBytes, figures.httpBytes, limit),
      originMeasuredBytes: pushBounded(counters.originMeasuredBytes, measured, limit),
    },
  };
}

function emptyHistory(): StreamHistory {
  return {
    t: [],
    p2pShare: [],
    intervalP2pShare: [],
    originKbps: [],
    originMeasuredKbps: [],
    deliveredKbps: [],
    counters: { at: [], p2pBytes: [], httpBytes: [], originMeasuredBytes: [] },
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
