import type { NodeId, NodeStats, StreamId, StripeFigures } from '@p2pcdn/core';
import { RateWindow } from './rate-window.ts';

/** Rates derived from a link's counters, kbit/s. */
export interface LinkRates {
  inKbps: number;
  outKbps: number;
  rttMs?: number;
}

/** Rates for one stream a node is in, kbit/s. */
export interface StreamRates {
  httpKbps: number;
  p2pKbps: number;
  upKbps: number;
}

/** Bytes a heartbeat added to one stream's counters. */
export interface StreamDelta {
  streamId: StreamId;
  httpBytes: number;
  p2pBytes: number;
  uploadBytes: number;
}

/** What the coordinator knows of a node's traffic: its last heartbeat and the rates derived. */
export interface NodeTraffic {
  latest: NodeStats | undefined;
  reportedAt: number | undefined;
  downKbps: number;
  upKbps: number;
  httpKbps: number;
  links: Map<NodeId, LinkRates>;
  streams: Map<StreamId, StreamRates>;
  /** What the node sent over all its links (`bytesOut`), over a window of several heartbeats. */
  linkUpload: RateWindow;
  /**
   * The striped pulls of the last heartbeat, by stream (only streams the node is in; the first
   * entry of a stream listed twice). Empty when the node pulls nothing striped.
   */
  pulls: Map<StreamId, StripeFigures>;
}

/** Default window of {@link NodeTraffic.linkUpload} (ms). */
export const DEFAULT_THROUGHPUT_WINDOW_MS = 10_000;

/** Rates below this interval would be noise (and a flood of heartbeats must not inflate them). */
const MIN_INTERVAL_MS = 250;

/** Traffic of a node that has not reported yet. */
export function emptyTraffic(throughputWindowMs = DEFAULT_THROUGHPUT_WINDOW_MS): NodeTraffic {
  return {
    latest: undefined,
    reportedAt: undefined,
    downKbps: 0,
    upKbps: 0,
    httpKbps: 0,
    links: new Map(),
    streams: new Map(),
    linkUpload: new RateWindow(throughputWindowMs, Math.min(1000, throughputWindowMs)),
    pulls: new Map(),
  };
}

/** Growth of a cumulative counter; a counter that went backwards was reset and counts from 0. */
export function growth(previous: number | undefined, next: number): number {
  if (previous === undefined) return next;
  return next >= previous ? next - previous : next;
}

const kbps = (bytes: number, ms: number | undefined): number => (ms === undefined ? 0 : (bytes * 8) / ms);

/**
 * Folds a heartbeat into `traffic` at time `now` and returns what it added per stream. A node in
 * one stream (`memberOf`) has all its counters attributed to it; a node in several is split by its
 * own per-stream report, and attributed to none without one.
 */
export function applyStats(
  traffic: NodeTraffic,
  stats: NodeStats,
  now: number,
  memberOf: readonly StreamId[],
): StreamDelta[] {
  const prev = traffic.latest;
  const elapsed =
    traffic.reportedAt === undefined ? undefined : Math.max(MIN_INTERVAL_MS, now - traffic.reportedAt);
  const http = growth(prev?.httpBytes, stats.httpBytes);
  const p2p = growth(prev?.p2pBytes, stats.p2pBytes);
  const up = growth(prev?.uploadBytes, stats.uploadBytes);
  traffic.httpKbps = kbps(http, elapsed);
  traffic.downKbps = kbps(http + p2p, elapsed);
  traffic.upKbps = kbps(up, elapsed);

  const prevLinks = new Map((prev?.links ?? []).map((l) => [l.peerId, l]));
  traffic.links = new Map();
  let linkBytesOut = 0;
  for (const link of stats.links) {
    const before = prevLinks.get(link.peerId);
    const out = growth(before?.bytesOut, link.bytesOut);
    linkBytesOut += out;
    const rates: LinkRates = {
      inKbps: kbps(growth(before?.bytesIn, link.bytesIn), elapsed),
      outKbps: kbps(out, elapsed),
    };
    if (link.rttMs !== undefined) rates.rttMs = link.rttMs;
    traffic.links.set(link.peerId, rates);
  }
  traffic.linkUpload.add(now, linkBytesOut);

  const deltas: StreamDelta[] = [];
  if (memberOf.length === 1 && memberOf[0] !== undefined) {
    // One stream: the node's own totals are the most complete account of it (a per-stream
    // report may miss bytes the host fetched outside the engine).
    deltas.push({ streamId: memberOf[0], httpBytes: http, p2pBytes: p2p, uploadBytes: up });
  } else if (stats.streams) {
    const prevStreams = new Map((prev?.streams ?? []).map((s) => [s.streamId, s]));
    for (const s of new Map(stats.streams.map((entry) => [entry.streamId, entry])).values()) {
      const before = prevStreams.get(s.streamId);
      deltas.push({
        streamId: s.streamId,
        httpBytes: growth(before?.httpBytes, s.httpBytes),
        p2pBytes: growth(before?.p2pBytes, s.p2pBytes),
        uploadBytes: growth(before?.uploadBytes, s.uploadBytes),
      });
    }
  }
  traffic.streams = new Map(
    deltas.map((d) => [
      d.streamId,
      {
        httpKbps: kbps(d.httpBytes, elapsed),
        p2pKbps: kbps(d.p2pBytes, elapsed),
        upKbps: kbps(d.uploadBytes, elapsed),
      },
    ]),
  );
  traffic.pulls = new Map();
  for (const pull of stats.stripes ?? []) {
    // A node cannot attach figures to a stream it is not in.
    if (memberOf.includes(pull.streamId) && !traffic.pulls.has(pull.streamId)) {
      traffic.pulls.set(pull.streamId, pull);
    }
  }
  traffic.latest = stats;
  traffic.reportedAt = now;
  return deltas;
}
