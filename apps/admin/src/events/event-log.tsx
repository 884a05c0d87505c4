/**
 * The event log, newest first.
 * Test ids: `event-log` on the list, `event-<kind>` on each entry's badge.
 */
import type { AdminEvent } from '@p2pcdn/core';
import { useMemo, useState } from 'react';
import { formatClock } from '../format/format.ts';
import { useAdmin } from '../store/admin-store.ts';

/** Every event kind, in the order the filter chips show them. */
export const EVENT_KINDS: readonly AdminEvent['kind'][] = [
  'join',
  'leave',
  'activate',
  'deactivate',
  'reparent',
  'distribute',
  'consolidate',
  'provision',
  'dead',
  'refused',
  'stream',
];

/** Props of {@link EventList}. */
export interface EventListProps {
  events: readonly AdminEvent[];
}

/** The entries themselves (presentational). */
export function EventList({ events }: EventListProps) {
  if (events.length === 0) return <p className="empty">No events.</p>;
  return (
    <ol className="events" data-testid="event-log">
      {events.map((e, i) => (
        <li key={`${e.at}-${i}`}>
          <time dateTime={new Date(e.at).toISOString()}>{formatClock(e.at)}</time>
          <span className={`kind kind-${e.kind}`} data-testid={`event-${e.kind}`}>
            {e.kind}
          </span>
          {e.streamId && <span className="tag">{e.streamId}</span>}
          {e.nodeId && <code className="tag">{e.nodeId}</code>}
          <span className="message">{e.message}</span>
        </li>
      ))}
    </ol>
  );
}

/** The "Events" section: kind filters and the log. */
export function EventLogSection() {
  const events = useAdmin((s) => s.events);
  const [hidden, setHidden] = useState<ReadonlySet<AdminEvent['kind']>>(new Set());
  const counts = useMemo(() => {
    const c = new Map<AdminEvent['kind'], number>();
    for (const e of events) c.set(e.kind, (c.get(e.kind) ?? 0) + 1);
    return c;
  }, [events]);
  const shown = useMemo(() => events.filter((e) => !hidden.has(e.kind)), [events, hidden]);

  const toggle = (kind: AdminEvent['kind']) =>
    setHidden((current) => {
      const next = new Set(current);
      if (next.has(kind)) next.delete(kind);
      else next.add(kind);
      return next;
    });

  return (
    <section id="events" className="panel" aria-labelledby="events-title">
      <header className="panel-head">
        <h2 id="events-title">Events</h2>
        <div className="chips" role="group" aria-label="Show event kinds">
          {EVENT_KINDS.map((kind) => (
            <button
              key={kind}
              type="button"
              className={`chip kind-${kind}${hidden.has(kind) ? ' off' : ''}`}
              aria-pressed={!hidden.has(kind)}
              onClick={() => toggle(kind)}
            >
              {kind} <span className="count">{counts.get(kind) ?? 0}</span>
            </button>
          ))}
        </div>
      </header>
      <EventList events={shown} />
    </section>
  );
}
