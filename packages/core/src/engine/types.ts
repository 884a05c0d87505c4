import type { NodeId, SegmentRef, StreamId } from '../protocol/index.ts';

/** Opaque timer handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/** Time source injected into every piece of core logic, so tests can drive time by hand. */
export interface Clock {
  /** Milliseconds, monotonic enough for rate and deadline arithmetic. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * One open WebRTC DataChannel (or any message pipe) to another node, as the engine sees it.
 * Browser tabs and Node workers adapt simple-peer to this; tests use in-memory pairs.
 */
export interface PeerLink {
  /** The coordinator-assigned id of the node at the other end. */
  readonly peerId: NodeId;
  /** Sends one frame: text frames are JSON control messages, binary frames carry data. */
  send(data: string | Uint8Array): void;
  /** Bytes queued for sending and not yet handed to the network (for backpressure). */
  bufferedAmount(): number;
  /**
   * Optional: calls `listener` each time the send buffer drains to `lowWaterMarkBytes` or below
   * (a DataChannel's `bufferedamountlow`), so senders held back by backpressure resume at once
   * instead of polling `bufferedAmount()`. Called once per link, before any data is sent.
   */
  onBufferedAmountLow?(lowWaterMarkBytes: number, listener: () => void): void;
  /** Closes the link; `onClose` listeners fire once. */
  close(): void;
  onMessage(listener: (data: string | Uint8Array) => void): void;
  onClose(listener: (reason?: string) => void): void;
}

/** Cancellation token (core has no DOM or Node types, so no AbortSignal). */
export interface CancelToken {
  readonly cancelled: boolean;
  onCancel(listener: () => void): void;
}

/** Fetches a segment over HTTP from the origin; injected by the host (fetch in tabs and Node). */
export type OriginFetch = (segment: SegmentRef, cancel: CancelToken) => Promise<Uint8Array>;

/** Where a segment came from. */
export type SegmentSource = 'cache' | 'p2p' | 'http';

/** A segment's bytes and where they came from. */
export interface LoadedSegment {
  data: Uint8Array;
  source: SegmentSource;
  /** The peer that sent it, for `p2p`. */
  peerId?: NodeId;
}

/** Which side of an edge a link is on, per stream. */
export type LinkRole = 'parent' | 'child';

/** Named debug logger (the `debug` package's shape), injected so core stays I/O-free. */
export type Logger = (formatter: string, ...args: unknown[]) => void;

/** Per-stream identity of a link: the same peer can be a parent in one stream and a child in another. */
export interface LinkKey {
  streamId: StreamId;
  peerId: NodeId;
}
