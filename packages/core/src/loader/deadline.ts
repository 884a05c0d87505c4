/** Tuning of the P2P deadline; every field has a default in {@link DEFAULT_DEADLINE_POLICY}. */
export interface DeadlinePolicy {
  /** Media kept in reserve when the HTTP fallback finishes, in ms. */
  safetyMarginMs: number;
  /** Shortest P2P attempt once playback has a buffer, in ms. */
  minP2pMs: number;
  /** Longest P2P attempt however much is buffered, in ms. */
  maxP2pMs: number;
  /** P2P attempt while the buffer is (nearly) empty, e.g. at startup or after a stall, in ms. */
  startupBudgetMs: number;
  /** Below this many seconds of buffer, the startup budget applies. */
  emptyBufferSec: number;
}

/** Defaults for a few-second-segment HLS stream. */
export const DEFAULT_DEADLINE_POLICY: DeadlinePolicy = {
  safetyMarginMs: 1500,
  minP2pMs: 300,
  maxP2pMs: 6000,
  startupBudgetMs: 500,
  emptyBufferSec: 0.5,
};

/**
 * How long to let peers try before starting the HTTP fallback: whatever is buffered, minus a
 * safety margin, minus the time HTTP is expected to need, clamped to `[minP2pMs, maxP2pMs]`.
 * With an empty buffer (startup, or just after a stall) the short startup budget applies.
 */
export function p2pDeadlineMs(
  bufferAheadSec: number,
  expectedHttpMs: number,
  policy: DeadlinePolicy,
): number {
  const buffered = Number.isFinite(bufferAheadSec) ? Math.max(0, bufferAheadSec) : 0;
  if (buffered < policy.emptyBufferSec) return policy.startupBudgetMs;
  const slack = buffered * 1000 - policy.safetyMarginMs - Math.max(0, expectedHttpMs);
  return Math.min(policy.maxP2pMs, Math.max(policy.minP2pMs, Math.floor(slack)));
}

/** Weight of a new sample in the smoothed estimates. */
const SMOOTHING = 0.3;

/** Smoothed estimates the deadline needs: HTTP throughput and typical segment size. */
export class TransferEstimator {
  private httpBytesPerMs: number;
  private segmentBytes: number;

  constructor(initial: { httpBytesPerSecond: number; segmentBytes: number }) {
    this.httpBytesPerMs = Math.max(1e-3, initial.httpBytesPerSecond / 1000);
    this.segmentBytes = Math.max(0, initial.segmentBytes);
  }

  /** Estimated HTTP throughput, bytes per second. */
  get httpBytesPerSecond(): number {
    return this.httpBytesPerMs * 1000;
  }

  /** Typical size of recent segments, bytes. */
  get typicalSegmentBytes(): number {
    return this.segmentBytes;
  }

  /**
   * Records a completed HTTP fetch. The sample includes the request's latency, which keeps the
   * estimate on the cautious side for segments of similar size.
   */
  recordHttp(bytes: number, elapsedMs: number): void {
    if (bytes <= 0) return;
    const sample = bytes / Math.max(1, elapsedMs);
    this.httpBytesPerMs += SMOOTHING * (sample - this.httpBytesPerMs);
  }

  /** Records the size of a segment, whatever its source. */
  recordSegment(bytes: number): void {
    this.segmentBytes += SMOOTHING * (bytes - this.segmentBytes);
  }

  /** Milliseconds an HTTP fetch of `bytes` (default: a typical segment) is expected to take. */
  expectedHttpMs(bytes = this.segmentBytes): number {
    return bytes / this.httpBytesPerMs;
  }
}
