import type { StreamCounters, StreamId } from '../protocol/index.ts';

/** Streams listed in one heartbeat (the protocol's bound). */
const MAX_REPORTED_STREAMS = 64;

type Field = 'httpBytes' | 'p2pBytes' | 'uploadBytes';

/** Cumulative byte counters per stream, as the heartbeat's `streams` field reports them. */
export class StreamCounterBook {
  private readonly byStream = new Map<StreamId, StreamCounters>();

  add(streamId: StreamId, field: Field, bytes: number): void {
    let entry = this.byStream.get(streamId);
    if (!entry) {
      entry = { streamId, httpBytes: 0, p2pBytes: 0, uploadBytes: 0 };
      this.byStream.set(streamId, entry);
    }
    entry[field] += bytes;
  }

  /** Copies of the counters, busiest streams first when there are more than a heartbeat holds. */
  list(): StreamCounters[] {
    const all = [...this.byStream.values()].map((c) => ({ ...c }));
    if (all.length <= MAX_REPORTED_STREAMS) return all;
    const total = (c: StreamCounters): number => c.httpBytes + c.p2pBytes + c.uploadBytes;
    return all.sort((a, b) => total(b) - total(a)).slice(0, MAX_REPORTED_STREAMS);
  }
}
