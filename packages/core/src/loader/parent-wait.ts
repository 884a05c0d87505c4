/**
 * How long a segment request may wait for a parent that is not connected yet. Waiting saves the
 * origin a copy when a parent is about to come up; waiting for one that is late only delays the
 * viewer. So at startup (nothing buffered) a request waits for as long as a WebRTC setup
 * typically takes, measured, and never more than a second; with media buffered it may wait for
 * whatever the buffer affords beyond a reserve kept for the HTTP fallback.
 */

/** Where a node stands on the way to a parent in one stream. */
export type ParentReadiness =
  /** A parent link is open: ask the peers. */
  | { state: 'connected' }
  /** No parent is assigned or coming (the node pulls from the origin): go to HTTP at once. */
  | { state: 'none' }
  /** Signalling is under way: the coordinator has not assigned parents yet. */
  | { state: 'assigning'; sinceMs: number }
  /** Parents were assigned at `sinceMs` and none is connected yet. */
  | { state: 'connecting'; sinceMs: number };

/** Tuning of {@link parentWaitMs}; every field has a default in {@link DEFAULT_PARENT_WAIT_POLICY}. */
export interface ParentWaitPolicy {
  /** Longest wait for one request while (nearly) nothing is buffered, ms. */
  maxStartupWaitMs: number;
  /** Longest wait for one request however much is buffered, ms. */
  maxBufferedWaitMs: number;
  /** A connecting parent is given the typical setup time times this factor… */
  setupTolerance: number;
  /** …plus this many ms, before it counts as late. */
  setupSlackMs: number;
  /** Seconds of buffer never spent waiting, kept for the peers and the HTTP fallback. */
  reserveSec: number;
  /** Below this many seconds of buffer, the startup rules apply. */
  emptyBufferSec: number;
}

export const DEFAULT_PARENT_WAIT_POLICY: ParentWaitPolicy = {
  maxStartupWaitMs: 1000,
  maxBufferedWaitMs: 2000,
  setupTolerance: 1.5,
  setupSlackMs: 100,
  reserveSec: 2,
  emptyBufferSec: 0.5,
};

/**
 * Milliseconds a request arriving at `nowMs` (having waited `waitedMs` already) may still wait for
 * a parent in state `readiness`, given the typical WebRTC setup time `typicalSetupMs`. 0 means go
 * on now: a parent is connected, none is coming, or the one coming is late.
 */
export function parentWaitMs(
  readiness: ParentReadiness,
  input: { nowMs: number; waitedMs: number; bufferAheadSec: number; typicalSetupMs: number },
  policy: ParentWaitPolicy = DEFAULT_PARENT_WAIT_POLICY,
): number {
  if (readiness.state === 'connected' || readiness.state === 'none') return 0;
  const buffered = Number.isFinite(input.bufferAheadSec) ? Math.max(0, input.bufferAheadSec) : 0;
  const waited = Math.max(0, input.waitedMs);
  if (buffered >= policy.emptyBufferSec) {
    // Media to spare: waiting costs the viewer nothing until the reserve.
    const affordable = (buffered - policy.reserveSec) * 1000;
    return Math.max(0, Math.min(policy.maxBufferedWaitMs - waited, affordable));
  }
  const capLeft = policy.maxStartupWaitMs - waited;
  if (readiness.state === 'assigning') {
    // The assignment is a message away; what follows it is judged once it arrived.
    return Math.max(0, capLeft);
  }
  const dueMs = readiness.sinceMs + input.typicalSetupMs * policy.setupTolerance + policy.setupSlackMs;
  return Math.max(0, Math.min(capLeft, dueMs - input.nowMs));
}

/** Weight of a new sample in the smoothed setup time. */
const SMOOTHING = 0.3;
/** Setup times outside this range are clamped: they say more about a broken clock than the network. */
const MIN_SETUP_MS = 20;
const MAX_SETUP_MS = 10_000;

/**
 * The typical time from a parent's assignment to its link opening, smoothed over the setups this
 * node saw (and, in the player, seeded from earlier visits), for {@link parentWaitMs}.
 */
export class SetupTimeEstimator {
  private smoothed: number;
  private count = 0;
  private readonly seeded: boolean;

  /**
   * `typicalMs`: the estimate to start from; `measured` when it comes from real setups (e.g. an
   * earlier visit), so new samples are smoothed into it rather than replacing a guess.
   */
  constructor(initial: { typicalMs: number; measured?: boolean }) {
    this.smoothed = clampSetup(initial.typicalMs);
    this.seeded = initial.measured === true;
  }

  /** The current estimate, ms. */
  get typicalMs(): number {
    return this.smoothed;
  }

  /** Setups measured so far. */
  get samples(): number {
    return this.count;
  }

  /** Records one setup that took `ms`. */
  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const sample = clampSetup(ms);
    // The first measurement replaces a guess; anything else is smoothed in.
    const replace = this.count === 0 && !this.seeded;
    this.smoothed = replace ? sample : this.smoothed + SMOOTHING * (sample - this.smoothed);
    this.count++;
  }
}

function clampSetup(ms: number): number {
  return Number.isFinite(ms) ? Math.min(MAX_SETUP_MS, Math.max(MIN_SETUP_MS, ms)) : MAX_SETUP_MS;
}
