import type { NodeRole, StreamId } from '@p2pcdn/core';
import type { StreamDelta } from './traffic.ts';

/** Cumulative bytes per stream, summed from every heartbeat (nodes that left still count). */
export interface StreamTotals {
  p2pBytes: number;
  httpBytes: number;
  viewerP2pBytes: number;
  viewerHttpBytes: number;
}

/** Per-stream byte totals from the nodes' heartbeats. */
export class FiguresBook {
  private readonly totals = new Map<StreamId, StreamTotals>();

  /** Adds what one heartbeat of a node with `role` contributed to `delta.streamId`. */
  add(role: NodeRole, delta: StreamDelta): void {
    let t = this.totals.get(delta.streamId);
    if (!t)
      this.totals.set(
        delta.streamId,
        (t = { p2pBytes: 0, httpBytes: 0, viewerP2pBytes: 0, viewerHttpBytes: 0 }),
      );
    t.p2pBytes += delta.p2pBytes;
    t.httpBytes += delta.httpBytes;
    if (role === 'viewer') {
      t.viewerP2pBytes += delta.p2pBytes;
      t.viewerHttpBytes += delta.httpBytes;
    }
  }

  get(streamId: StreamId): StreamTotals {
    return { p2pBytes: 0, httpBytes: 0, viewerP2pBytes: 0, viewerHttpBytes: 0, ...this.totals.get(streamId) };
  }

  drop(streamId: StreamId): void {
    this.totals.delete(streamId);
  }
}
