import { STRIPE_DEFAULT_BLOCK_BYTES, type NodeId, type StreamId } from '../protocol/index.ts';
import { DEFAULT_PATTERN_LENGTH } from '../stripe/pattern.ts';
import type { ProbeResult } from '../stripe/rebalance.ts';
import type { LinkSession } from './link-session.ts';

/** How a node runs its striped pulls; every field has a default ({@link DEFAULT_STRIPING}). */
export interface StripingSettings {
  /** Bytes per block (one block frame each). */
  blockBytes: number;
  /** How often the pattern is recomputed from the bytes each source delivered, ms. */
  intervalMs: number;
  /** How far ahead a new pattern takes effect (`secondsInFuture` of the document), s. */
  secondsInFuture: number;
  /** Size of the probe's test block, characters. */
  probeBytes: number;
  /** How long the first pattern waits for probe answers, ms. */
  probeTimeoutMs: number;
  /** A source that owes blocks of a segment and delivers none for this long is taken off it, ms. */
  stallMs: number;
  /** A segment no source announced (`stripe-have`) within this long is given up, ms. */
  firstByteTimeoutMs: number;
  /** Most sources one pull uses at once. */
  maxSources: number;
  /** Slots per pattern. */
  patternLength: number;
  /** A source benched for stalling is given blocks again after this long, ms. */
  readmitMs: number;
  /**
   * Whether the pattern is recomputed every interval from what each source delivered. `false`
   * keeps the first pattern (sources still come, go and are benched): a baseline for benchmarks.
   */
  recalculate: boolean;
  /** How the first pattern is weighted: by the probes, or `equal` shares (a baseline). */
  firstPattern: 'probe' | 'equal';
}

export const DEFAULT_STRIPING: StripingSettings = {
  blockBytes: STRIPE_DEFAULT_BLOCK_BYTES,
  intervalMs: 1000,
  secondsInFuture: 0.5,
  probeBytes: 16 * 1024,
  probeTimeoutMs: 500,
  stallMs: 1500,
  firstByteTimeoutMs: 4000,
  maxSources: 8,
  patternLength: DEFAULT_PATTERN_LENGTH,
  readmitMs: 5000,
  recalculate: true,
  firstPattern: 'probe',
};

/** One parent as a source of a striped pull. */
export interface StripeSource {
  readonly session: LinkSession;
  readonly id: NodeId;
  /** The subscription id this node chose for the pull on the source's link. */
  readonly sub: number;
  probe: { nonce: number; sentAt: number; done: () => void } | undefined;
  probeResult: ProbeResult | undefined;
  /** When its last probe went unanswered; it is probed again `readmitMs` later. */
  probeFailedAt: number;
  /** Left out of the pattern until then (it stalled), ms on the clock. */
  benchedUntil: number;
  /** Time in the current interval during which it owed blocks, ms. */
  busyMs: number;
  /** Since when it owes blocks (its busy time runs), ms on the clock; undefined while idle. */
  busySince: number | undefined;
  /** Bytes per second it delivered in the last interval. */
  lastRate: number;
  /** When its latest block (of any segment) arrived, ms on the clock. */
  lastBlockAt: number;
  /**
   * Highest sequence number among the pattern blocks it sent. A source sends its pattern blocks
   * in sequence order, so a block it owes below this one was skipped (not merely late).
   */
  lastPatternSeq: number;
  bytes: number;
  blocks: number;
  outOfSequence: number;
}

/** One source's line in {@link StripeSources.stats}. */
export interface StripeSourceStats {
  peerId: NodeId;
  letter: string;
  /** Its share of the current pattern, 0–1. */
  share: number;
  /** Bytes per second it delivered in the last interval. */
  bytesPerSecond: number;
  bytes: number;
  blocks: number;
  outOfSequence: number;
  /** Probe estimate, bytes per ms, when a probe came back. */
  probeBytesPerMs?: number;
}

/** A striped pull's pattern and sources, as the player and the heartbeat show them. */
export interface StripeStats {
  streamId: StreamId;
  /** The pattern as on the wire (`AABCC…`), empty before the first. */
  pattern: string;
  epoch: number;
  startSeq: number;
  sources: StripeSourceStats[];
}
