import type { AdminEvent, Clock } from '@p2pcdn/core';
import createDebug from 'debug';

const debug = createDebug('p2pcdn:signaling:events');

/** An event without its timestamp (the log adds it). */
export type NewAdminEvent = Omit<AdminEvent, 'at'>;

/** Ring buffer of what happened to the trees, newest last, for the admin dashboard. */
export class EventLog {
  private readonly buffer: AdminEvent[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly capacity = 500,
  ) {}

  add(event: NewAdminEvent): void {
    const entry: AdminEvent = { at: Math.max(0, Math.round(this.clock.now())), ...event };
    entry.message = entry.message.slice(0, 500);
    this.buffer.push(entry);
    if (this.buffer.length > this.capacity) this.buffer.splice(0, this.buffer.length - this.capacity);
    debug('%s %s', entry.kind, entry.message);
  }

  /** The `limit` most recent events, oldest first. */
  recent(limit = this.capacity): AdminEvent[] {
    return this.buffer.slice(-limit);
  }
}
