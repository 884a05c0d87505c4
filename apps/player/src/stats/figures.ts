import type {
  LinkRole,
  LinkStats,
  NodeId,
  SourceRejections,
  StreamId,
  StripeFigures,
  VerificationState,
} from '@p2pcdn/core';
import type { PlayerErrorKind } from '../page/player-error.ts';
import type { PlaybackFigures } from '../playback/playback-monitor.ts';
import type { TimelineEntry } from './startup-timeline.ts';

/** Where the page is in its flow. */
export type PlayerPhase =
  /** No `?stream=`: showing the list of streams. */
  | 'list'
  /** Connecting to the coordinator and saying hello. */
  | 'connecting'
  /** Joined; hls.js is loading the playlist and first segments. */
  | 'loading'
  /** The first frame has been shown. */
  | 'playing'
  /** Stopped with an error shown on the page. */
  | 'error';

/** One WebRTC neighbour of this tab. */
export interface PeerFigure {
  /** The neighbour's node id. */
  id: NodeId;
  /** `parent`: this tab pulls from it; `child`: this tab relays to it. */
  role: LinkRole;
  state: 'connecting' | 'connected';
  /** Segment and control bytes received from it. */
  bytesIn: number;
  /** Bytes sent to it. */
  bytesOut: number;
  /** Last measured round trip, ms; `null` until measured. */
  rttMs: number | null;
}

/** What the player knew when playback stalled, to tell a slow peer from a late parent or origin. */
export interface StallRecord {
  /** When, ms since page start. */
  atMs: number;
  /** Playhead position, seconds. */
  currentTime: number;
  /** Where the tab stood on the way to a parent (`connected`, `connecting`, …). */
  parents: string;
  /** The last fragment delivered before the stall, if any. */
  lastFragment?: { sn: number | 'initSegment'; source: string; tookMs: number; atMs: number };
}

/** Everything the stats panel shows and `window.__p2pcdn` publishes, refreshed about once a second. */
export interface PlayerFigures {
  nodeId: NodeId | null;
  streamId: StreamId | null;
  phase: PlayerPhase;
  /** Milliseconds from page start to the first frame; `null` before it. */
  startupMs: number | null;
  /** Times playback waited for data after it had started. */
  stalls: number;
  /** Segment bytes received from peers. */
  p2pBytes: number;
  /** Segment bytes fetched from the origin over HTTP. */
  httpBytes: number;
  /** Segment bytes this tab uploaded to its children. */
  uploadBytes: number;
  /** `p2pBytes ÷ (p2pBytes + httpBytes)`, 0 before any segment. */
  p2pShare: number;
  /** Seconds of media buffered ahead of the playhead. */
  bufferSec: number;
  /** Seconds the playhead has advanced by playing. */
  playedSec: number;
  peers: PeerFigure[];
  /**
   * The striped pull of the stream (segments' blocks from several parents at once): the pattern
   * and each source's share and rate; null while segments come from one parent at a time.
   */
  stripe: StripeFigures | null;
  /** Parents the coordinator assigned (connected or not yet). */
  parents: NodeId[];
  /** Whether the coordinator lets this tab fetch from the origin itself (it always may when starving). */
  originAllowed: boolean;
  /** The segment at the playhead (file name and sequence number), once playing. */
  currentSegment: string | null;
  /** When each startup step happened (ms since page start), in time order. */
  timeline: TimelineEntry[];
  /** The latest stalls (at most 20), oldest first. */
  stallLog: StallRecord[];
  /** `Date.now()` of this refresh. */
  updatedAt: number;
  /** Whether segments from peers are checked against the stream's signed manifest, and how it went. */
  integrity: IntegrityFigures;
  /** The message shown on the page, when the player stopped on an error. */
  error?: string;
  errorKind?: PlayerErrorKind;
}

/** The stream's verification on this tab. */
export interface IntegrityFigures {
  /** `verified`: against the publisher's signed manifest; `unverified`: registered without a key. */
  state: VerificationState;
  /** Segments from peers that matched the manifest. */
  verified: number;
  /** Segments from peers that did not (dropped, fetched again elsewhere, their sender reported). */
  rejected: number;
  /** Rejections per source, most first. */
  bySource: SourceRejections[];
}

/** A link as the agent lists it. */
export interface LinkInfo {
  peerId: NodeId;
  role: LinkRole;
  state: 'connecting' | 'connected';
}

/** The raw inputs of one refresh. */
export interface FigureInputs {
  nodeId: NodeId | null;
  streamId: StreamId | null;
  phase: PlayerPhase;
  transfer: {
    p2pBytes: number;
    httpBytes: number;
    uploadBytes: number;
    links: readonly LinkStats[];
    stripes?: readonly StripeFigures[] | undefined;
  };
  links: readonly LinkInfo[];
  parents: readonly NodeId[];
  originAllowed: boolean;
  playback: PlaybackFigures;
  currentSegment: string | null;
  /** The startup steps recorded so far. */
  timeline?: readonly TimelineEntry[];
  stallLog?: readonly StallRecord[];
  now: number;
  error?: { kind: PlayerErrorKind; message: string } | undefined;
  integrity?: IntegrityFigures;
}

/** Share of segment bytes that came from peers, 0..1. */
export function p2pShare(p2pBytes: number, httpBytes: number): number {
  const total = p2pBytes + httpBytes;
  return total > 0 ? p2pBytes / total : 0;
}

/**
 * Joins the agent's links with the engine's per-link counters: parents first, then children,
 * each by id; counters of a link the agent no longer lists are dropped.
 */
export function peerFigures(links: readonly LinkInfo[], counters: readonly LinkStats[]): PeerFigure[] {
  const byPeer = new Map(counters.map((c) => [c.peerId, c]));
  return links
    .map((link) => {
      const c = byPeer.get(link.peerId);
      return {
        id: link.peerId,
        role: link.role,
        state: link.state,
        bytesIn: c?.bytesIn ?? 0,
        bytesOut: c?.bytesOut ?? 0,
        rttMs: c?.rttMs ?? null,
      };
    })
    .sort((a, b) => (a.role === b.role ? a.id.localeCompare(b.id) : a.role === 'parent' ? -1 : 1));
}

/** The striped pull of `streamId`, sources by letter; null when the stream is not pulled striped. */
export function stripeFigure(
  stripes: readonly StripeFigures[] | undefined,
  streamId: StreamId | null,
): StripeFigures | null {
  const pull = stripes?.find((s) => s.streamId === streamId);
  if (!pull || pull.pattern === '') return null;
  return {
    ...pull,
    sources: [...pull.sources]
      .map((s) => ({ ...s }))
      .sort((a, b) => (a.letter || '~').localeCompare(b.letter || '~') || a.peerId.localeCompare(b.peerId)),
  };
}

/** Composes one refresh of the figures. */
export function composeFigures(input: FigureInputs): PlayerFigures {
  const { transfer, playback } = input;
  return {
    nodeId: input.nodeId,
    streamId: input.streamId,
    phase: input.phase,
    startupMs: playback.startupMs,
    stalls: playback.stalls,
    p2pBytes: transfer.p2pBytes,
    httpBytes: transfer.httpBytes,
    uploadBytes: transfer.uploadBytes,
    p2pShare: p2pShare(transfer.p2pBytes, transfer.httpBytes),
    bufferSec: Math.round(playback.bufferSec * 100) / 100,
    playedSec: Math.round(playback.playedSec * 100) / 100,
    peers: peerFigures(input.links, transfer.links),
    stripe: stripeFigure(transfer.stripes, input.streamId),
    parents: [...input.parents],
    originAllowed: input.originAllowed,
    currentSegment: input.currentSegment,
    timeline: (input.timeline ?? []).map((entry) => ({ ...entry })),
    stallLog: (input.stallLog ?? []).map((record) => ({ ...record })),
    updatedAt: input.now,
    integrity: input.integrity
      ? { ...input.integrity, bySource: input.integrity.bySource.map((r) => ({ ...r })) }
      : { state: 'unknown-stream', verified: 0, rejected: 0, bySource: [] },
    ...(input.error ? { error: input.error.message, errorKind: input.error.kind } : {}),
  };
}

/** Figures before anything happened. */
export function initialFigures(streamId: StreamId | null, phase: PlayerPhase, now: number): PlayerFigures {
  return composeFigures({
    nodeId: null,
    streamId,
    phase,
    transfer: { p2pBytes: 0, httpBytes: 0, uploadBytes: 0, links: [] },
    links: [],
    parents: [],
    originAllowed: false,
    playback: { startupMs: null, stalls: 0, playedSec: 0, bufferSec: 0 },
    currentSegment: null,
    now,
  });
}
