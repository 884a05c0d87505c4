import type { StreamId, StreamInfo, Welcome } from '@p2pcdn/core';
import createDebug from 'debug';
import { LivePrefetcher } from './live-prefetcher.ts';
import { NodeStack, type NodeStackOptions } from './node-stack.ts';

const log = createDebug('p2pcdn:worker:relay');

export type RelayOptions = Omit<NodeStackOptions, 'role'> & {
  /** Segments behind the live edge prefetched when origin access starts. Default 3. */
  liveBackSegments?: number;
};

/**
 * The headless relay: a segment store of `cacheBytes`, the peer engine with an upload cap, and the
 * node agent. It fetches from the origin only where the coordinator said `origin: true` (and only
 * URLs on that stream's origin), and keeps those live streams prefetched to the live edge so its
 * children get new segments from it rather than from the origin.
 */
export class Relay {
  readonly stack: NodeStack;
  private readonly prefetchers = new Map<StreamId, LivePrefetcher>();

  constructor(private readonly options: RelayOptions) {
    this.stack = new NodeStack({ ...options, role: 'relay' });
    this.stack.agent.on('origin', (streamId, allowed, stream) => this.onOrigin(streamId, allowed, stream));
    this.stack.agent.on('release', (streamId) => log('released from %s', streamId));
  }

  /** Registers with the coordinator as a relay. */
  start(): Promise<Welcome> {
    return this.stack.start();
  }

  /** Streams this relay currently fetches from the origin. */
  originStreams(): StreamId[] {
    return this.stack.agent
      .assignments()
      .filter((a) => a.origin)
      .map((a) => a.streamId);
  }

  /** Leaves every stream (children move first), closes every link and stops prefetching. */
  async stop(): Promise<void> {
    try {
      await this.stack.stop();
    } finally {
      for (const prefetcher of this.prefetchers.values()) prefetcher.stop();
      this.prefetchers.clear();
    }
  }

  private onOrigin(streamId: StreamId, allowed: boolean, stream: StreamInfo | undefined): void {
    this.prefetchers.get(streamId)?.stop();
    this.prefetchers.delete(streamId);
    if (!allowed || !stream || stream.live === false) return;
    const prefetcher = new LivePrefetcher({
      stream,
      store: this.stack.store,
      origin: this.stack.origin,
      clock: this.options.clock,
      loadPlaylist: (url) => this.stack.loadPlaylist(stream, url),
      recordHttpBytes: (bytes) => this.stack.engine?.recordHttpBytes(bytes, streamId),
      backSegments: this.options.liveBackSegments ?? 3,
      log: createDebug('p2pcdn:worker:prefetch'),
    });
    this.prefetchers.set(streamId, prefetcher);
    prefetcher.start().catch((error: unknown) => log('cannot follow %s: %O', stream.url, error));
  }
}
