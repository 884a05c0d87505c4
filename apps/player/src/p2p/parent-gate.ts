import type { CancelToken, Clock, StreamId } from '@p2pcdn/core';
import type { SegmentSourcePort } from '../playback/fragment-loader.ts';

/** What the gate needs to know about this tab's parents. */
export interface ParentStatus {
  /** Parents are assigned in `streamId` but none is connected yet. */
  connecting(streamId: StreamId): boolean;
  /** Calls `listener` whenever assignments or links change; returns an unsubscriber. */
  onChange(listener: () => void): () => void;
}

/** Tuning of {@link gateOnParents}. */
export interface ParentGateOptions {
  /** Longest wait when nothing is buffered (startup, or a stall under way), ms. Default 2000. */
  startupWaitMs?: number;
  /** Seconds of buffer never spent on waiting, kept for peers and the HTTP fallback. Default 2. */
  reserveSec?: number;
}

/**
 * Lets assigned parents that are still connecting serve: before a segment is requested while the
 * tab's parents are connecting, waits (as long as the buffer affords, or a short startup wait)
 * for one of them to come up; otherwise the loader would find no parent and go straight to HTTP,
 * pulling from the origin what a parent is about to offer. The buffer figure handed on is reduced
 * by the time spent waiting.
 */
export function gateOnParents(
  inner: SegmentSourcePort,
  status: ParentStatus,
  clock: Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'>,
  options: ParentGateOptions = {},
): SegmentSourcePort {
  const startupWaitMs = options.startupWaitMs ?? 2000;
  const reserveSec = options.reserveSec ?? 2;
  return {
    async load(ref, { bufferAheadSec, cancel }) {
      if (!status.connecting(ref.streamId)) return inner.load(ref, { bufferAheadSec, cancel });
      const budgetMs = bufferAheadSec < 0.5 ? startupWaitMs : (bufferAheadSec - reserveSec) * 1000;
      const waitMs = Math.min(startupWaitMs, Math.max(0, budgetMs));
      const started = clock.now();
      await waitUntil(() => !status.connecting(ref.streamId), waitMs, status, clock, cancel);
      const waitedSec = (clock.now() - started) / 1000;
      return inner.load(ref, { bufferAheadSec: Math.max(0, bufferAheadSec - waitedSec), cancel });
    },
  };
}

/** Resolves when `done()` holds, after `timeoutMs`, or on cancellation, whichever comes first. */
function waitUntil(
  done: () => boolean,
  timeoutMs: number,
  status: ParentStatus,
  clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>,
  cancel: CancelToken,
): Promise<void> {
  if (timeoutMs <= 0 || done() || cancel.cancelled) return Promise.resolve();
  return new Promise((resolve) => {
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clock.clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    const timer = clock.setTimeout(finish, timeoutMs);
    const unsubscribe = status.onChange(() => {
      if (done()) finish();
    });
    cancel.onCancel(finish);
  });
}
