import type { StreamId } from '../protocol/index.ts';
import type { LinkSession } from './link-session.ts';

/** Size the ranking prices a transfer at; about one second of a few-Mbit/s segment. */
const REFERENCE_BYTES = 1_000_000;
/** Assumed until a transfer from the parent has completed: 2 Mbit/s, in bytes per ms. */
const DEFAULT_THROUGHPUT = 250;
/** Assumed until a pong has come back. */
const DEFAULT_RTT_MS = 100;
/** Failures beyond this stop making a parent look worse (it still gets tried last). */
const MAX_FAILURE_PENALTY = 8;

/**
 * Expected milliseconds for `session` to deliver a reference segment: one round trip plus the
 * transfer at its recent throughput, queued behind the requests already in flight on it, and
 * doubled-ish for each recent failure.
 */
export function expectedDeliveryMs(session: LinkSession): number {
  const rtt = session.rttMs ?? DEFAULT_RTT_MS;
  const throughput = Math.max(1e-3, session.throughput ?? DEFAULT_THROUGHPUT);
  const queued = 1 + session.pendingRequests;
  const failures = Math.min(MAX_FAILURE_PENALTY, session.consecutiveFailures);
  return (rtt + (REFERENCE_BYTES * queued) / throughput) * (1 + failures);
}

/** Open links that are parents in `streamId`, best first (stable for equal scores). */
export function rankParents(sessions: Iterable<LinkSession>, streamId: StreamId): LinkSession[] {
  const parents: { session: LinkSession; cost: number }[] = [];
  for (const session of sessions) {
    if (session.closed || session.streams.get(streamId) !== 'parent') continue;
    parents.push({ session, cost: expectedDeliveryMs(session) });
  }
  parents.sort((a, b) => a.cost - b.cost);
  return parents.map((p) => p.session);
}
