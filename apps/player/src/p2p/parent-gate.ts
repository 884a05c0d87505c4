import {
  DEFAULT_PARENT_WAIT_POLICY,
  parentWaitMs,
  type Clock,
  type ParentReadiness,
  type ParentWaitPolicy,
  type StreamId,
} from '@p2pcdn/core';
import type { SegmentSourcePort } from '../playback/fragment-loader.ts';

/** What the gate needs to know about this tab's parents. */
export interface ParentStatus {
  /** Where this tab stands on the way to a parent in `streamId`. */
  readiness(streamId: StreamId): ParentReadiness;
  /** How long a WebRTC setup typically takes here, ms (measured). */
  typicalSetupMs(): number;
  /** Calls `listener` whenever assignments or links change; returns an unsubscriber. */
  onChange(listener: () => void): () => void;
}

/**
 * Lets parents that are about to come up serve: before a segment is requested while the tab's
 * parents are still being assigned or connecting, waits for one of them, but only as long as
 * {@link parentWaitMs} allows (at startup: the typical setup time, never more than a second; with
 * media buffered: what the buffer affords). Otherwise the loader would find no parent and go
 * straight to HTTP, pulling from the origin what a parent is about to offer. The buffer figure
 * handed on is reduced by the time spent waiting.
 */
export function gateOnParents(
  inner: SegmentSourcePort,
  status: ParentStatus,
  clock: Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'>,
  policy: Partial<ParentWaitPolicy> = {},
): SegmentSourcePort {
  const rules: ParentWaitPolicy = { ...DEFAULT_PARENT_WAIT_POLICY, ...policy };
  return {
    async load(ref, { bufferAheadSec, cancel }) {
      const started = clock.now();
      const waitFor = (): number => {
        const now = clock.now();
        const waitedMs = now - started;
        return parentWaitMs(
          status.readiness(ref.streamId),
          {
            nowMs: now,
            waitedMs,
            bufferAheadSec: bufferAheadSec - waitedMs / 1000,
            typicalSetupMs: status.typicalSetupMs(),
          },
          rules,
        );
      };
      // Each change (assignment, link) is judged afresh: an assignment turns "assigning" into
      // "connecting" with its own deadline, a connected parent ends the wait.
      let wakeUp: (() => void) | undefined;
      let ms = waitFor();
      if (ms > 0) cancel.onCancel(() => wakeUp?.());
      while (ms > 0 && !cancel.cancelled) {
        await new Promise<void>((resolve) => {
          const timer = clock.setTimeout(() => wakeUp?.(), ms);
          const unsubscribe = status.onChange(() => wakeUp?.());
          wakeUp = () => {
            wakeUp = undefined;
            clock.clearTimeout(timer);
            unsubscribe();
            resolve();
          };
        });
        ms = waitFor();
      }
      const waitedSec = (clock.now() - started) / 1000;
      return inner.load(ref, { bufferAheadSec: Math.max(0, bufferAheadSec - waitedSec), cancel });
    },
  };
}
