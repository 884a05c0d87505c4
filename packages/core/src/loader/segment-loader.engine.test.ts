import { describe, expect, it } from 'vitest';
import type { OriginFetch } from '../engine/types.ts';
import type { SegmentRef } from '../protocol/index.ts';
import { connect, makeNode, patternBytes, sameBytes } from '../testing/engine-harness.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { SegmentLoader } from './segment-loader.ts';

const STREAM = 'live';
const seg = (n: number): SegmentRef => ({ streamId: STREAM, url: `http://origin.test/live/${n}.ts` });

describe('SegmentLoader over a real PeerEngine', () => {
  it('loads from a parent, falls back to HTTP for what no peer has, and relays that onward', async () => {
    const clock = new ManualClock();
    const httpCalls: { url: string; at: number }[] = [];
    const httpFetch: OriginFetch = (segment) => {
      httpCalls.push({ url: segment.url, at: clock.now() });
      return Promise.resolve(patternBytes(400_000, 2));
    };
    const parent = makeNode(clock, 'parent');
    const viewer = makeNode(clock, 'viewer');
    const grandchild = makeNode(clock, 'grandchild');
    connect(clock, parent, viewer, STREAM);
    connect(clock, viewer, grandchild, STREAM);
    parent.store.put(seg(1), patternBytes(400_000, 1));
    const loader = new SegmentLoader({
      peers: viewer.engine,
      httpFetch,
      clock,
      store: viewer.store,
      policy: { startupBudgetMs: 300 },
    });

    const first = loader.load(seg(1), { bufferAheadSec: 0 });
    await clock.advance(100);
    const fromPeer = await first;
    expect(fromPeer.source).toBe('p2p');
    expect(sameBytes(fromPeer.data, patternBytes(400_000, 1))).toBe(true);

    // The parent misses segment 2 at once, so HTTP starts well before the deadline.
    const second = loader.load(seg(2), { bufferAheadSec: 8 });
    await clock.advance(100);
    expect((await second).source).toBe('http');
    // Asked at t=100; the miss is back one round trip (2 × 5 ms) later.
    expect(httpCalls).toEqual([{ url: seg(2).url, at: 110 }]);
    expect(viewer.engine.stats()).toMatchObject({ httpBytes: 400_000, p2pBytes: 400_000 });

    const relayed = grandchild.engine.fetchFromPeers(seg(2), { timeoutMs: 5000 });
    await clock.advance(100);
    expect((await relayed)?.peerId).toBe('viewer');
    expect(httpCalls).toHaveLength(1);
    expect(loader.stats().segments).toEqual({ cache: 0, p2p: 1, http: 1 });
  });
});
