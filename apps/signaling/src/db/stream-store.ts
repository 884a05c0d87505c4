import type { StreamId, StreamInfo } from '@p2pcdn/core';
import type { TypedSublevel } from './typed-sublevel.ts';

/** Registered streams, keyed by stream id. */
export class StreamStore {
  constructor(private readonly sub: TypedSublevel<StreamInfo>) {}

  async list(): Promise<StreamInfo[]> {
    return (await this.sub.entries()).map(([, info]) => info);
  }

  async get(id: StreamId): Promise<StreamInfo | undefined> {
    return this.sub.get(id);
  }

  async put(info: StreamInfo): Promise<void> {
    await this.sub.put(info.id, info);
  }

  async delete(id: StreamId): Promise<void> {
    await this.sub.del(id);
  }
}
