import type { StreamId, StreamInfo } from '@p2pcdn/core';

/** Registered streams in memory (the database keeps them across restarts). */
export class StreamCatalog {
  private readonly streams = new Map<StreamId, StreamInfo>();

  get(id: StreamId): StreamInfo | undefined {
    return this.streams.get(id);
  }

  has(id: StreamId): boolean {
    return this.streams.has(id);
  }

  set(info: StreamInfo): void {
    this.streams.set(info.id, info);
  }

  delete(id: StreamId): boolean {
    return this.streams.delete(id);
  }

  /** Every stream, oldest registration first. */
  all(): StreamInfo[] {
    return [...this.streams.values()].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }
}
