import type { AdminEvent } from '@p2pcdn/core';

/** Events kept in the dashboard's log, beyond the snapshot's own short window. */
export const DEFAULT_EVENT_LOG_LENGTH = 500;

function eventKey(event: AdminEvent): string {
  return `${event.at}|${event.kind}|${event.streamId ?? ''}|${event.nodeId ?? ''}|${event.message}`;
}

/**
 * Merges a snapshot's events (newest last, a sliding window) into the log (newest first),
 * skipping the ones already logged and keeping at most `limit`.
 */
export function mergeEvents(
  log: readonly AdminEvent[],
  incoming: readonly AdminEvent[],
  limit = DEFAULT_EVENT_LOG_LENGTH,
): AdminEvent[] {
  const known = new Set(log.map(eventKey));
  const fresh = incoming.filter((e) => {
    const key = eventKey(e);
    if (known.has(key)) return false;
    known.add(key);
    return true;
  });
  if (fresh.length === 0) return log.length > limit ? log.slice(0, limit) : [...log];
  return [...fresh, ...log].sort((a, b) => b.at - a.at).slice(0, limit);
}
