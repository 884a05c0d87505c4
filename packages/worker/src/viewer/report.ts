import type { NodeId, SegmentKey, SegmentSource, StreamId, VerificationState } from '@p2pcdn/core';
import { createHash } from 'node:crypto';

/** One segment the headless viewer received (one JSON line of its report). */
export interface SegmentRecord {
  type: 'segment';
  streamId: StreamId;
  /** The segment's key (its URL, with `#start-end` for byte ranges). */
  key: SegmentKey;
  /** Media sequence number, or `init` for an initialisation segment. */
  sequence: number | 'init';
  bytes: number;
  source: SegmentSource;
  /** The parent that sent it, for `p2p`. */
  peerId?: NodeId;
  /** Hex SHA-256 of the bytes, to compare with the origin's. */
  sha256: string;
  /** Milliseconds the load took. */
  elapsedMs: number;
  /** Wall-clock time of arrival (ms since the epoch). */
  at: number;
}

/** The last line of a report. */
export interface SummaryRecord {
  type: 'summary';
  streamId: StreamId;
  nodeId: NodeId | undefined;
  segments: number;
  /** Bytes by source. */
  p2pBytes: number;
  httpBytes: number;
  cacheBytes: number;
  /** Bytes this viewer uploaded to its own children. */
  uploadBytes: number;
  startupMs: number | undefined;
  stalls: number;
  /** Why the viewer stopped. */
  reason: 'ended' | 'segments' | 'stopped';
  /** How the stream's segments were checked (`verified` against its signed manifest). */
  verification: VerificationState;
  /** Segments from peers that failed verification (dropped, fetched again elsewhere). */
  rejectedSegments: number;
}

export type ViewerRecord = SegmentRecord | SummaryRecord;

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
