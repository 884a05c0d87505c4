import {
  MAX_SEGMENT_BYTES,
  segmentKey,
  type PeerMessage,
  type SegmentRef,
  type StreamId,
} from '../protocol/index.ts';
import type { SegmentStore } from '../store/segment-store.ts';
import { createCancelSource, type CancelSource } from './cancel.ts';
import type { LinkSession } from './link-session.ts';
import type { LiveSegment } from './live-segment.ts';
import type { UploadJob, UploadScheduler } from './upload-scheduler.ts';
import type { CancelToken, Logger } from './types.ts';

type RequestMessage = Extract<PeerMessage, { type: 'request' }>;
type MissReason = Extract<PeerMessage, { type: 'miss' }>['reason'];

/**
 * Outcome of looking for a segment this node does not hold, on behalf of a child: the whole
 * segment, a segment still arriving from a parent (forwarded as it arrives), or a miss.
 */
export type FetchThroughResult = { data: Uint8Array } | { live: LiveSegment } | { miss: MissReason };

/** What the child server needs from the engine. */
export interface ChildServerDeps {
  store: SegmentStore;
  scheduler: UploadScheduler;
  /**
   * Finds a segment upstream (parents, then origin); coalesced by the caller. May resolve with a
   * live segment as soon as it starts arriving; `cancel` then still stops the upstream transfer
   * (when no one else waits for it) until the segment is complete.
   */
  fetchThrough(segment: SegmentRef, requester: LinkSession, cancel: CancelToken): Promise<FetchThroughResult>;
  /** Requests one child may have open at once; more are answered `busy`. */
  maxRequestsPerChild: number;
  onBadFrame(session: LinkSession, reason: string): void;
  /** Counts segment bytes sent to children, per stream. */
  onUploaded(streamId: StreamId, bytes: number): void;
  log: Logger;
}

interface Serving {
  id: number;
  streamId: StreamId;
  key: string;
  /** Cancels the fetch-through while the segment is being looked for or still arriving. */
  fetch: CancelSource | undefined;
  /** Set once the data is being sent. */
  job: UploadJob | undefined;
  /** Stops watching the live segment being forwarded. */
  unobserve: (() => void) | undefined;
}

/**
 * Answers children's requests: from the store when the segment is held, otherwise by fetching it
 * through this node's own sources. Keeps per-link request state so `cancel` and link loss stop
 * exactly the work of that child.
 */
export class ChildServer {
  private readonly serving = new Map<LinkSession, Map<number, Serving>>();

  constructor(private readonly deps: ChildServerDeps) {}

  /** Requests being served (looked up or sent) across all children. */
  get activeCount(): number {
    let n = 0;
    for (const requests of this.serving.values()) n += requests.size;
    return n;
  }

  /** Whether a child on `session` is waiting for `key` (so it must not be asked for it). */
  isServing(session: LinkSession, key: string): boolean {
    const requests = this.serving.get(session);
    if (!requests) return false;
    for (const s of requests.values()) if (s.key === key) return true;
    return false;
  }

  handleRequest(session: LinkSession, msg: RequestMessage): void {
    const { id, segment } = msg;
    if (session.streams.get(segment.streamId) !== 'child') {
      this.deps.log('link %s asked for %s outside its streams', session.peerId, segment.streamId);
      session.sendControl({ type: 'miss', id, reason: 'bad-request' });
      return;
    }
    let requests = this.serving.get(session);
    if (requests?.has(id)) return this.deps.onBadFrame(session, `request id ${id} already in use`);
    if ((requests?.size ?? 0) >= this.deps.maxRequestsPerChild) {
      session.sendControl({ type: 'miss', id, reason: 'busy' });
      return;
    }
    if (!requests) {
      requests = new Map();
      this.serving.set(session, requests);
    }
    const serving: Serving = {
      id,
      streamId: segment.streamId,
      key: segmentKey(segment),
      fetch: undefined,
      job: undefined,
      unobserve: undefined,
    };
    requests.set(id, serving);

    const held = this.deps.store.get(segment);
    if (held) return this.send(session, serving, held);

    const fetch = createCancelSource();
    serving.fetch = fetch;
    this.deps.fetchThrough(segment, session, fetch.token).then(
      (result) => {
        if (!this.isCurrent(session, serving)) {
          // The child left meanwhile: let go of the upstream transfer too.
          if ('live' in result) fetch.cancel();
          return;
        }
        // A live segment still needs its upstream transfer: keep the means to cancel it.
        if ('live' in result) return this.forward(session, serving, result.live);
        serving.fetch = undefined;
        if ('data' in result) this.send(session, serving, result.data);
        else this.answerMiss(session, serving, result.miss);
      },
      (err: unknown) => {
        this.deps.log('fetch-through for %s failed: %O', serving.key, err);
        if (this.isCurrent(session, serving)) this.answerMiss(session, serving, 'upstream-failed');
      },
    );
  }

  handleCancel(session: LinkSession, id: number): void {
    const serving = this.serving.get(session)?.get(id);
    // Unknown ids are fine: the cancel crossed our last frame or our miss.
    if (serving) this.stop(session, serving);
  }

  /** Forgets every request of a closed link, stopping its fetches and uploads. */
  dropSession(session: LinkSession): void {
    const requests = this.serving.get(session);
    if (!requests) return;
    for (const serving of [...requests.values()]) this.stop(session, serving);
    this.serving.delete(session);
  }

  private send(session: LinkSession, serving: Serving, data: Uint8Array): void {
    if (data.byteLength > MAX_SEGMENT_BYTES) return this.answerMiss(session, serving, 'not-found');
    if (!session.sendControl({ type: 'data-start', id: serving.id, size: data.byteLength })) {
      return this.forget(session, serving);
    }
    const job: UploadJob = {
      target: session,
      id: serving.id,
      data,
      onDone: () => this.forget(session, serving),
      onSent: (bytes) => this.deps.onUploaded(serving.streamId, bytes),
    };
    serving.job = job;
    this.deps.scheduler.start(job);
  }

  /**
   * Cut-through: announces the whole size at once and sends the frames as they arrive from the
   * parent; aborts with `miss` (after `data-start`, which the child accepts) if the upstream
   * transfer fails or the segment fails verification.
   */
  private forward(session: LinkSession, serving: Serving, live: LiveSegment): void {
    if (live.end && !live.end.ok) return this.stop(session, serving, 'upstream-failed');
    if (!session.sendControl({ type: 'data-start', id: serving.id, size: live.size })) {
      return this.stop(session, serving);
    }
    const job: UploadJob = {
      target: session,
      id: serving.id,
      data: live.data,
      readable: () => live.forwardable,
      onDone: () => this.forget(session, serving),
      onSent: (bytes) => this.deps.onUploaded(serving.streamId, bytes),
    };
    serving.job = job;
    this.deps.scheduler.start(job);
    serving.unobserve = live.observe({
      onProgress: () => this.deps.scheduler.wake(),
      onEnd: (end) => {
        if (end.ok) return this.deps.scheduler.wake();
        this.deps.log('forwarding %s to %s aborted: %s', serving.key, session.peerId, end.reason);
        if (this.isCurrent(session, serving)) this.stop(session, serving, 'upstream-failed');
      },
    });
  }

  private answerMiss(session: LinkSession, serving: Serving, reason: MissReason): void {
    this.forget(session, serving);
    session.sendControl({ type: 'miss', id: serving.id, reason });
  }

  /** Stops a request's fetch and upload; answers `miss` with `reason` when given. */
  private stop(session: LinkSession, serving: Serving, reason?: MissReason): void {
    const current = this.isCurrent(session, serving);
    this.forget(session, serving);
    if (serving.job) this.deps.scheduler.cancel(serving.job);
    serving.fetch?.cancel();
    if (current && reason) session.sendControl({ type: 'miss', id: serving.id, reason });
  }

  private forget(session: LinkSession, serving: Serving): void {
    serving.unobserve?.();
    serving.unobserve = undefined;
    const requests = this.serving.get(session);
    if (requests?.get(serving.id) !== serving) return;
    requests.delete(serving.id);
    if (requests.size === 0) this.serving.delete(session);
  }

  private isCurrent(session: LinkSession, serving: Serving): boolean {
    return this.serving.get(session)?.get(serving.id) === serving;
  }
}
