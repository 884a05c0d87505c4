import { linkedCancelSource } from './cancel.ts';
import type { FetchThroughResult } from './child-server.ts';
import type { Coalescer } from './coalescer.ts';
import type { LiveSegments } from './live-segment.ts';
import type { CancelToken, Clock, LoadedSegment } from './types.ts';

/** What {@link pullForChild} needs from the engine. */
export interface PullForChildDeps {
  clock: Clock;
  /** The engine's coalesced pulls from parents, shared with its own fetches. */
  peerFetches: Coalescer<LoadedSegment>;
  live: LiveSegments;
  /** Pulls the segment from the parents (the coalesced work, started if none runs). */
  pull: (cancel: CancelToken) => Promise<LoadedSegment | null>;
  /** How long to wait for the segment to start arriving, ms. */
  upstreamTimeoutMs: number;
}

/**
 * Joins (or starts) the coalesced pull of the segment under `key` from this node's parents for a
 * child, and resolves as soon as the segment starts arriving (a live segment, forwarded as it
 * arrives) or the pull ends. Until the segment is live the wait is bounded by the upstream
 * timeout; after that the request's stall timeout guards it, and `cancel` (the child left) still
 * lets go of the pull, which stops when no one else waits for it. Resolves null when the parents
 * could not serve it in time; rejects with `cancelled` when `cancel` fires first.
 */
export function pullForChild(
  deps: PullForChildDeps,
  key: string,
  cancel: CancelToken,
): Promise<FetchThroughResult | null> {
  const waiting = linkedCancelSource([cancel], { clock: deps.clock, ms: deps.upstreamTimeoutMs });
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      stopWaiting();
      // Only the timer: the child's cancel still reaches the pull through `waiting`.
      waiting.dispose();
      finish();
    };
    const stopWaiting = deps.live.waitFor(key, (live) => settle(() => resolve({ live })));
    deps.peerFetches.run(key, deps.pull, { timeoutMs: Number.POSITIVE_INFINITY, cancel: waiting.token }).then(
      (got) => settle(() => resolve(got ? { data: got.data } : null)),
      (err: unknown) =>
        // The caller's own cancel is theirs to see; the upstream timeout is a plain miss.
        settle(() => (cancel.cancelled ? reject(err) : resolve(null))),
    );
    const arriving = deps.live.get(key);
    if (arriving) settle(() => resolve({ live: arriving }));
  });
}
