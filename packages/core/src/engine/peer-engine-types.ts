import type { NodeId, SegmentRef, StreamId } from '../protocol/index.ts';
import type { SegmentStore } from '../store/segment-store.ts';
import type { StripingSettings } from './stripe-types.ts';
import type { CancelToken, Clock, LinkRole, Logger, OriginFetch, SegmentSource } from './types.ts';

/** Settings of a `PeerEngine`; everything but identity, clock and store has a default. */
export interface PeerEngineOptions {
  /** This node's coordinator-assigned id, sent in `hello`. */
  nodeId: NodeId;
  clock: Clock;
  /** Where received segments go and served segments come from. */
  store: SegmentStore;
  /** HTTP fetch from the origin, used to serve children when `allowOrigin` says so. */
  originFetch?: OriginFetch;
  /**
   * Whether this node may fetch `segment` of `streamId` from the origin for a child (asked each
   * time). Children choose the URL, so hosts should check it is on the stream's origin here (or in
   * `originFetch`). Default: always.
   */
  allowOrigin?: (streamId: StreamId, segment: SegmentRef) => boolean;
  /**
   * Checks a segment received from a peer (e.g. its SHA-256 against the signed manifest) before
   * it is stored, used or forwarded. `false`: bad data, the peer is cut off and reported as
   * misbehaving; `'unknown'`: it cannot be vouched for now (no manifest lists it), so it is
   * dropped and the next source tried, blaming nobody.
   *
   * With cut-through forwarding, a relay sends children a segment's bytes while they arrive but
   * holds back its last byte until this check passed; otherwise the children's transfers end
   * with `miss` instead. Children run their own check before using the segment. (A per-block
   * check could later drop a bad parent earlier; the whole-segment check is what gates use.)
   */
  verifySegment?: (segment: SegmentRef, data: Uint8Array) => SegmentCheck | Promise<SegmentCheck>;
  /**
   * Checks block `index` of a segment cut every `blockBytes` against the manifest's per-block
   * hash, so a striped segment that failed `verifySegment` can be blamed on the one source that
   * sent the bad block; `'unknown'` when the manifest has no block hashes of that size (the
   * segment is then fetched whole from one parent at a time, which finds the culprit).
   */
  verifyBlock?: (
    segment: SegmentRef,
    index: number,
    blockBytes: number,
    payload: Uint8Array,
  ) => SegmentCheck | Promise<SegmentCheck>;
  /**
   * The segment's size when the host knows it (from the signed manifest): a striped pull then
   * numbers exactly its blocks. Without it a pull reserves sequence numbers for the largest
   * segment and learns the size from the first source's `stripe-have`.
   */
  segmentSize?: (segment: SegmentRef) => number | undefined;
  /**
   * Striped pulls (seed 002): with two or more parents in a stream, each segment's blocks come
   * from all of them at once, divided by a pattern weighted by probes and recomputed every
   * interval from what each delivered. `false` pulls each segment whole from the best parent.
   * Default: on, with `DEFAULT_STRIPING`.
   */
  striping?: Partial<StripingSettings> | false;
  /**
   * Upload cap across all children, bytes per second; 0 serves no children (they get `busy`).
   * Default: unlimited.
   */
  uploadBytesPerSecond?: number;
  /** Burst the upload cap allows, bytes. Default: 50 ms of upload, at least two frames. */
  uploadBurstBytes?: number;
  /** No frames are queued into a link whose send buffer holds more than this. Default 1 MiB. */
  highWaterMarkBytes?: number;
  /** How often a link held back by backpressure is polled, ms. Default 20. */
  backpressurePollMs?: number;
  /** A transfer from a parent is abandoned after this long without a frame, ms. Default 4000. */
  stallTimeoutMs?: number;
  /**
   * A request to a parent is abandoned when `data-start` has not come after this long, ms. The
   * parent may be fetching the segment through its own sources first. Default: the upstream
   * timeout plus 2 s.
   */
  firstByteTimeoutMs?: number;
  /** How long a child's fetch-through waits on this node's parents, ms. Default 8000. */
  upstreamTimeoutMs?: number;
  /** How long a child's fetch-through waits on the origin, ms. Default 15000. */
  originTimeoutMs?: number;
  /** Requests one child may have open at once. Default 16. */
  maxRequestsPerChild?: number;
  /** Protocol violations after which a peer is cut off and reported. Default 16. */
  badFrameThreshold?: number;
  /** Ping interval for RTT, ms; 0 disables. Default 5000. */
  pingIntervalMs?: number;
  log?: Logger;
}

/** Options of `PeerEngine.fetchFromPeers`. */
export interface FetchFromPeersOptions {
  /** Resolve with null after this many ms. */
  timeoutMs: number;
  /** Cancelling rejects with a `cancelled` `PeerEngineError`. */
  cancel?: CancelToken | undefined;
}

/** A segment the engine obtained (not counting cache hits). */
export interface SegmentEvent {
  segment: SegmentRef;
  bytes: number;
  /** `p2p` from a parent, `http` from the origin (fetched through for a child). */
  source: Exclude<SegmentSource, 'cache'>;
  /** The parent that sent it, for `p2p`. */
  peerId?: NodeId;
}

/** A link left the engine (closed by the peer, the host, or for misbehaviour). */
export interface LinkClosedEvent {
  peerId: NodeId;
  /** The streams it carried and the peer's role in each. */
  streams: { streamId: StreamId; role: LinkRole }[];
  reason: string;
}

/** A segment check's answer: vouched for, bad (blame the sender) or `unknown` (blame nobody). */
export type SegmentCheck = boolean | 'unknown';

/** What a peer was cut off for. */
export interface MisbehaviourDetail {
  /** `bad-data`: a segment that failed verification; `protocol`: repeated protocol violations. */
  kind: 'bad-data' | 'protocol';
  /** The segment that failed, for `bad-data`. */
  segment?: SegmentRef;
  /** For `bad-data` in a striped pull: the index of the block whose own hash failed. */
  block?: number;
}
