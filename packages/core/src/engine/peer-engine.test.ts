import { describe, expect, it } from 'vitest';
import { NodeStatsSchema, type SegmentRef } from '../protocol/index.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { connect, makeNode, patternBytes, sameBytes } from '../testing/engine-harness.ts';
import { createCancelSource } from './cancel.ts';
import { PeerEngineError } from './errors.ts';
import type { LinkClosedEvent, SegmentEvent } from './peer-engine-types.ts';
import type { CancelToken, OriginFetch } from './types.ts';

/** Whole-segment requests (the path striped pulls fall back to): these tests are about it. */
const WHOLE = { striping: false } as const;

const STREAM = 'live';
const seg = (n: number, streamId = STREAM): SegmentRef => ({
  streamId,
  url: `http://origin.test/${streamId}/${n}.m4s`,
});

/** An origin that serves `patternBytes(size, n)` for segment n and counts requests. */
function fakeOrigin(size: number): { fetch: OriginFetch; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    fetch: (segment) => {
      calls.push(segment.url);
      const n = Number(/\/(\d+)\.m4s$/.exec(segment.url)?.[1] ?? 0);
      return Promise.resolve(patternBytes(size, n));
    },
  };
}

describe('PeerEngine', () => {
  it('transfers a segment parent → child byte for byte', async () => {
    const clock = new ManualClock();
    const parent = makeNode(clock, 'parent');
    const child = makeNode(clock, 'child');
    connect(clock, parent, child, STREAM);
    const data = patternBytes(300_000, 7);
    parent.store.put(seg(1), data);
    const received: SegmentEvent[] = [];
    child.engine.onSegment((e) => received.push(e));

    const result = child.engine.fetchFromPeers(seg(1), { timeoutMs: 5000 });
    await clock.advance(100);
    const loaded = await result;

    expect(loaded?.source).toBe('p2p');
    expect(loaded?.peerId).toBe('parent');
    expect(sameBytes(loaded?.data, data)).toBe(true);
    expect(sameBytes(child.store.get(seg(1)), data)).toBe(true);
    expect(received).toEqual([{ segment: seg(1), bytes: 300_000, source: 'p2p', peerId: 'parent' }]);
    expect(child.engine.stats().p2pBytes).toBe(300_000);
    expect(parent.engine.stats().uploadBytes).toBe(300_000);
    const [childLink] = child.engine.stats().links;
    const [parentLink] = parent.engine.stats().links;
    expect(childLink?.peerId).toBe('parent');
    expect(childLink?.bytesIn).toBe(parentLink?.bytesOut);
    expect(childLink?.bytesIn).toBeGreaterThan(300_000);
  });

  it('answers from its own store without asking anyone', async () => {
    const clock = new ManualClock();
    const node = makeNode(clock, 'n');
    node.store.put(seg(1), patternBytes(10));
    await expect(node.engine.fetchFromPeers(seg(1), { timeoutMs: 10 })).resolves.toEqual({
      data: patternBytes(10),
      source: 'cache',
    });
  });

  it('returns null at once when the stream has no parents', async () => {
    const clock = new ManualClock();
    const node = makeNode(clock, 'n');
    await expect(node.engine.fetchFromPeers(seg(1), { timeoutMs: 10_000 })).resolves.toBeNull();
  });

  it('transfers an empty segment', async () => {
    const clock = new ManualClock();
    const parent = makeNode(clock, 'parent');
    const child = makeNode(clock, 'child');
    connect(clock, parent, child, STREAM);
    parent.store.put(seg(1), new Uint8Array(0));
    const result = child.engine.fetchFromPeers(seg(1), { timeoutMs: 5000 });
    await clock.advance(50);
    expect((await result)?.data.byteLength).toBe(0);
  });

  it('fetches through a 3-level chain with one upstream fetch for many children', async () => {
    const clock = new ManualClock();
    const origin = fakeOrigin(200_000);
    const root = makeNode(clock, 'root', { originFetch: origin.fetch });
    const relay = makeNode(clock, 'relay');
    connect(clock, root, relay, STREAM);
    const leaves = ['c1', 'c2', 'c3', 'c4', 'c5'].map((id) => makeNode(clock, id));
    for (const leaf of leaves) connect(clock, relay, leaf, STREAM);

    const results = leaves.map((leaf) => leaf.engine.fetchFromPeers(seg(3), { timeoutMs: 5000 }));
    await clock.advance(500);
    const loaded = await Promise.all(results);

    for (const l of loaded) expect(sameBytes(l?.data, patternBytes(200_000, 3))).toBe(true);
    expect(origin.calls).toHaveLength(1);
    expect(root.engine.stats().httpBytes).toBe(200_000);
    expect(root.engine.stats().uploadBytes).toBe(200_000);
    expect(relay.engine.stats().p2pBytes).toBe(200_000);
    expect(relay.engine.stats().uploadBytes).toBe(5 * 200_000);
    expect(relay.store.has(seg(3))).toBe(true);
    expect(relay.engine.stats().streams).toEqual([
      { streamId: STREAM, httpBytes: 0, p2pBytes: 200_000, uploadBytes: 1_000_000 },
    ]);
    expect(root.engine.stats().streams).toEqual([
      { streamId: STREAM, httpBytes: 200_000, p2pBytes: 0, uploadBytes: 200_000 },
    ]);
    for (const node of [root, relay, ...leaves])
      expect(NodeStatsSchema.safeParse(node.engine.stats()).success).toBe(true);
  });

  it('coalesces concurrent local fetches of one segment into one request', async () => {
    const clock = new ManualClock();
    const parent = makeNode(clock, 'parent');
    const child = makeNode(clock, 'child');
    connect(clock, parent, child, STREAM);
    parent.store.put(seg(1), patternBytes(100_000));
    const a = child.engine.fetchFromPeers(seg(1), { timeoutMs: 5000 });
    const b = child.engine.fetchFromPeers(seg(1), { timeoutMs: 5000 });
    await clock.advance(100);
    expect(sameBytes((await a)?.data, (await b)?.data)).toBe(true);
    expect(parent.engine.stats().uploadBytes).toBe(100_000);
  });

  it('moves to the next parent on a miss', async () => {
    const clock = new ManualClock();
    const empty = makeNode(clock, 'empty');
    const full = makeNode(clock, 'full');
    const child = makeNode(clock, 'child', WHOLE);
    connect(clock, empty, child, STREAM);
    connect(clock, full, child, STREAM);
    full.store.put(seg(1), patternBytes(1000));
    expect(child.engine.parents(STREAM)).toEqual(['empty', 'full']);

    const result = child.engine.fetchFromPeers(seg(1), { timeoutMs: 5000 });
    await clock.advance(100);
    expect((await result)?.peerId).toBe('full');
    // The parent that missed is now ranked after the one that delivered.
    expect(child.engine.parents(STREAM)).toEqual(['full', 'empty']);
  });

  it('moves to the next parent when one stalls, and gives up at the deadline', async () => {
    const clock = new ManualClock();
    // A parent whose link never delivers anything (a black hole).
    const silent = makeNode(clock, 'silent');
    const full = makeNode(clock, 'full');
    const child = makeNode(clock, 'child', { ...WHOLE, firstByteTimeoutMs: 1000 });
    connect(clock, silent, child, STREAM, { latencyMs: 1_000_000 });
    connect(clock, full, child, STREAM);
    full.store.put(seg(1), patternBytes(1000));

    const result = child.engine.fetchFromPeers(seg(1), { timeoutMs: 5000 });
    await clock.advance(999);
    expect(child.store.has(seg(1))).toBe(false);
    await clock.advance(100);
    expect((await result)?.peerId).toBe('full');

    const lone = makeNode(clock, 'lone', { firstByteTimeoutMs: 1000 });
    connect(clock, silent, lone, STREAM, { latencyMs: 1_000_000 });
    const nothing = lone.engine.fetchFromPeers(seg(2), { timeoutMs: 500 });
    await clock.advance(500);
    await expect(nothing).resolves.toBeNull();
  });

  it('returns null when every parent misses', async () => {
    const clock = new ManualClock();
    const a = makeNode(clock, 'a');
    const b = makeNode(clock, 'b');
    const child = makeNode(clock, 'child');
    connect(clock, a, child, STREAM);
    connect(clock, b, child, STREAM);
    const result = child.engine.fetchFromPeers(seg(1), { timeoutMs: 5000 });
    await clock.advance(100);
    await expect(result).resolves.toBeNull();
  });

  it('fails over when a link closes mid-transfer', async () => {
    const clock = new ManualClock();
    const first = makeNode(clock, 'first');
    const second = makeNode(clock, 'second');
    const child = makeNode(clock, 'child', WHOLE);
    const data = patternBytes(1_000_000, 9);
    // 100 kB/s: the megabyte takes ten seconds from `first`.
    const [firstEnd] = connect(clock, first, child, STREAM, { bytesPerSecond: 100_000 });
    connect(clock, second, child, STREAM);
    first.store.put(seg(1), data);
    second.store.put(seg(1), data);
    const closed: LinkClosedEvent[] = [];
    child.engine.onLinkClosed((e) => closed.push(e));

    const result = child.engine.fetchFromPeers(seg(1), { timeoutMs: 30_000 });
    await clock.advance(3000);
    expect(child.engine.stats().links.find((l) => l.peerId === 'first')?.bytesIn).toBeGreaterThan(100_000);
    firstEnd.sever('connection lost');
    await clock.advance(1000);

    const loaded = await result;
    expect(loaded?.peerId).toBe('second');
    expect(sameBytes(loaded?.data, data)).toBe(true);
    expect(closed).toEqual([
      { peerId: 'first', streams: [{ streamId: STREAM, role: 'parent' }], reason: 'connection lost' },
    ]);
    expect(first.engine.stats().links).toEqual([]);
  });

  it('fetches from the origin for a child only when allowed', async () => {
    const clock = new ManualClock();
    const origin = fakeOrigin(1000);
    let allowed = false;
    const asked: string[] = [];
    const relay = makeNode(clock, 'relay', {
      originFetch: origin.fetch,
      allowOrigin: (streamId, segment) => {
        asked.push(`${streamId} ${segment.url}`);
        return allowed;
      },
    });
    const child = makeNode(clock, 'child');
    connect(clock, relay, child, STREAM);

    const refused = child.engine.fetchFromPeers(seg(1), { timeoutMs: 5000 });
    await clock.advance(100);
    await expect(refused).resolves.toBeNull();
    expect(origin.calls).toEqual([]);

    allowed = true;
    const served = child.engine.fetchFromPeers(seg(1), { timeoutMs: 5000 });
    await clock.advance(100);
    expect(sameBytes((await served)?.data, patternBytes(1000, 1))).toBe(true);
    expect(origin.calls).toHaveLength(1);
    expect(asked).toEqual([`${STREAM} ${seg(1).url}`, `${STREAM} ${seg(1).url}`]);
  });

  it('answers miss when the origin fails', async () => {
    const clock = new ManualClock();
    const relay = makeNode(clock, 'relay', { originFetch: () => Promise.reject(new Error('502')) });
    const child = makeNode(clock, 'child');
    connect(clock, relay, child, STREAM);
    const result = child.engine.fetchFromPeers(seg(1), { timeoutMs: 5000 });
    await clock.advance(100);
    await expect(result).resolves.toBeNull();
  });

  it('serves a child only in streams it is registered for', async () => {
    const clock = new ManualClock();
    const parent = makeNode(clock, 'parent');
    const child = makeNode(clock, 'child');
    const [atParent, atChild] = connect(clock, parent, child, STREAM);
    // The child believes the link also carries `other`; the parent never agreed to that.
    child.engine.addLink('other', atChild, 'parent');
    parent.store.put(seg(1, 'other'), patternBytes(10));
    const result = child.engine.fetchFromPeers(seg(1, 'other'), { timeoutMs: 5000 });
    await clock.advance(100);
    await expect(result).resolves.toBeNull();
    expect(parent.engine.stats().uploadBytes).toBe(0);
    expect(atParent.closed).toBe(false);
  });

  it('rejects a cancelled fetch and stops the transfer once nobody waits', async () => {
    const clock = new ManualClock();
    // A slow link and a small high-water mark: the parent queues little ahead of the network.
    const parent = makeNode(clock, 'parent', { highWaterMarkBytes: 128 * 1024 });
    const child = makeNode(clock, 'child');
    connect(clock, parent, child, STREAM, { bytesPerSecond: 100_000 });
    parent.store.put(seg(1), patternBytes(2_000_000));
    const cancel = createCancelSource();
    const result = child.engine.fetchFromPeers(seg(1), { timeoutMs: 60_000, cancel: cancel.token });
    await clock.advance(2000);
    cancel.cancel();
    await expect(result).rejects.toMatchObject({ kind: 'cancelled' });
    await clock.advance(1000);
    const sentAfterCancel = parent.engine.stats().uploadBytes;
    await clock.advance(10_000);
    expect(parent.engine.stats().uploadBytes).toBe(sentAfterCancel);
    // Two seconds at 100 kB/s plus what the buffer held, far from the whole two megabytes.
    expect(sentAfterCancel).toBeLessThan(600_000);
    expect(child.store.has(seg(1))).toBe(false);
  });

  it('keeps a shared transfer going for the callers that did not cancel', async () => {
    const clock = new ManualClock();
    const parent = makeNode(clock, 'parent');
    const child = makeNode(clock, 'child');
    connect(clock, parent, child, STREAM, { bytesPerSecond: 100_000 });
    parent.store.put(seg(1), patternBytes(300_000));
    const cancel = createCancelSource();
    const leaving = child.engine.fetchFromPeers(seg(1), { timeoutMs: 60_000, cancel: cancel.token });
    const staying = child.engine.fetchFromPeers(seg(1), { timeoutMs: 60_000 });
    await clock.advance(1000);
    cancel.cancel();
    await expect(leaving).rejects.toBeInstanceOf(PeerEngineError);
    await clock.advance(5000);
    expect(sameBytes((await staying)?.data, patternBytes(300_000))).toBe(true);
  });

  it('refuses to start a fetch with an already-cancelled token', async () => {
    const clock = new ManualClock();
    const node = makeNode(clock, 'n');
    const cancel = createCancelSource();
    cancel.cancel();
    await expect(
      node.engine.fetchFromPeers(seg(1), { timeoutMs: 10, cancel: cancel.token as CancelToken }),
    ).rejects.toMatchObject({ kind: 'cancelled' });
  });

  it('stops uploading when the child cancels', async () => {
    const clock = new ManualClock();
    const parent = makeNode(clock, 'parent', { uploadBytesPerSecond: 50_000 });
    const child = makeNode(clock, 'child');
    connect(clock, parent, child, STREAM);
    parent.store.put(seg(1), patternBytes(1_000_000));
    const cancel = createCancelSource();
    const result = child.engine.fetchFromPeers(seg(1), { timeoutMs: 60_000, cancel: cancel.token });
    await clock.advance(2000);
    cancel.cancel();
    await result.catch(() => undefined);
    await clock.advance(100);
    const uploaded = parent.engine.stats().uploadBytes;
    await clock.advance(10_000);
    expect(parent.engine.stats().uploadBytes).toBe(uploaded);
  });

  it('answers busy beyond the per-child request limit', async () => {
    const clock = new ManualClock();
    const parent = makeNode(clock, 'parent', { maxRequestsPerChild: 2, uploadBytesPerSecond: 10_000 });
    const child = makeNode(clock, 'child');
    connect(clock, parent, child, STREAM);
    for (let i = 1; i <= 3; i++) parent.store.put(seg(i), patternBytes(100_000, i));
    const results = [1, 2, 3].map((i) => child.engine.fetchFromPeers(seg(i), { timeoutMs: 60_000 }));
    await clock.advance(100);
    await expect(results[2]).resolves.toBeNull();
    await clock.advance(30_000);
    expect((await results[0])?.source).toBe('p2p');
    expect((await results[1])?.source).toBe('p2p');
  });
});
