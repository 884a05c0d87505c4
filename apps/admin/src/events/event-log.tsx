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

/** The planner's changes to the trees: the "tree changes" preset shows only these. */
export const TREE_KINDS: ReadonlySet<AdminEvent['kind']> = new Set([
  'activate',
  'deactivate',
  'distribute',
  'consolidate',
  'provision',
  'reparent',
]);

/** What the log shows. */
export interface EventFilter {
  hidden: ReadonlySet<AdminEvent['kind']>;
  /** Only events of this stream (null: every event, with or without a stream). */
  streamId: string | null;
}

/** The events `filter` lets through, order kept (newest first). */
export function filterEvents(events: readonly AdminEvent[], filter: EventFilter): AdminEvent[] {
  return events.filter(
    (e) => !filter.hidden.has(e.kind) && (filter.streamId === null || e.streamId === filter.streamId),
  );
}

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

/**
 * The "Events" section: a stream filter, kind filters (with a "tree changes" preset) and the log.
 * Test ids: `event-stream-all`, `event-stream-<streamId>`, `event-preset-tree`, `event-preset-all`.
 */
export function EventLogSection() {
  const events = useAdmin((s) => s.events);
  const streams = useAdmin((s) => s.snapshot?.streams);
  const [hidden, setHidden] = useState<ReadonlySet<AdminEvent['kind']>>(new Set());
  const [streamId, setStreamId] = useState<string | null>(null);
  const streamIds = useMemo(() => {
    const ids = new Set((streams ?? []).map((s) => s.id));
    for (const e of events) if (e.streamId !== undefined) ids.add(e.streamId);
    return [...ids];
  }, [streams, events]);
  const counts = useMemo(() => {
    const c = new Map<AdminEvent['kind'], number>();
    for (const e of filterEvents(events, { hidden: new Set(), streamId }))
      c.set(e.kind, (c.get(e.kind) ?? 0) + 1);
    return c;
  }, [events, streamId]);
  const shown = useMemo(() => filterEvents(events, { hidden, streamId }), [events, hidden, streamId]);

  const toggle = (kind: AdminEvent['kind']) =>
    setHidden((current) => {
      const next = new Set(current);
      if (next.has(kind)) next.delete(kind);
      else next.add(kind);
      return next;
    });
  const treeOnly = EVENT_KINDS.every((k) => hidden.has(k) !== TREE_KINDS.has(k));

  return (
    <section id="events" className="panel" aria-labelledby="events-title">
      <header className="panel-head">
        <h2 id="events-title">Events</h2>
        <div className="segmented" role="radiogroup" aria-label="Stream">
          {[null, ...streamIds].map((id) => (
            <button
              key={id ?? 'all'}
              type="button"
              role="radio"
              aria-checked={streamId === id}
              className={streamId === id ? 'active' : undefined}
              data-testid={`event-stream-${id ?? 'all'}`}
              onClick={() => setStreamId(id)}
            >
              {id ?? 'All streams'}
            </button>
          ))}
        </div>
        <div className="segmented" role="group" aria-label="Presets">
          <button
            type="button"
            className={treeOnly ? 'active' : undefined}
            aria-pressed={treeOnly}
            data-testid="event-preset-tree"
            title="Activations, distributions, consolidations, provisions and re-parentings only"
            onClick={() => setHidden(new Set(EVENT_KINDS.filter((k) => !TREE_KINDS.has(k))))}
          >
            tree changes
          </button>
          <button
            type="button"
            className={hidden.size === 0 ? 'active' : undefined}
            aria-pressed={hidden.size === 0}
            data-testid="event-preset-all"
            onClick={() => setHidden(new Set())}
          >
            everything
          </button>
        </div>
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
