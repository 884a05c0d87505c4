import { describe, expect, it } from 'vitest';
import type { SegmentRef } from '../protocol/index.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { connect, makeNode, patternBytes, sameBytes, type TestNode } from '../testing/engine-harness.ts';
import { createCancelSource } from './cancel.ts';
import type { TestNodeOptions } from '../testing/engine-harness.ts';

const STREAM = 'live';
const seg = (n: number): SegmentRef => ({ streamId: STREAM, url: `http://origin.test/live/${n}.m4s` });
const SIZE = 1_000_000;

/**
 * root (holds the segment) → relay → child, the root → relay hop at 100 kB/s (ten seconds). The
 * root queues little into that link, so what it hands over is what the relay gets soon after.
 */
function chain(relayOptions: TestNodeOptions = {}): {
  clock: ManualClock;
  root: TestNode;
  relay: TestNode;
  child: TestNode;
  upstream: ReturnType<typeof connect>;
  data: Uint8Array;
} {
  const clock = new ManualClock();
  const root = makeNode(clock, 'root', { highWaterMarkBytes: 64 * 1024 });
  const relay = makeNode(clock, 'relay', relayOptions);
  const child = makeNode(clock, 'child');
  const upstream = connect(clock, root, relay, STREAM, { bytesPerSecond: 100_000 });
  connect(clock, relay, child, STREAM);
  const data = patternBytes(SIZE, 5);
  root.store.put(seg(1), data);
  return { clock, root, relay, child, upstream, data };
}

const bytesFrom = (node: TestNode, peerId: string): number =>
  node.engine.stats().links.find((l) => l.peerId === peerId)?.bytesIn ?? 0;

describe('PeerEngine cut-through forwarding', () => {
  it('forwards frames to a child while the segment is still arriving at the relay', async () => {
    const { clock, relay, child, data } = chain();
    const result = child.engine.fetchFromPeers(seg(1), { timeoutMs: 30_000 });

    await clock.advance(4000);
    // About 400 kB reached the relay; the child already has them, the relay has stored nothing.
    expect(relay.store.has(seg(1))).toBe(false);
    expect(bytesFrom(relay, 'root')).toBeGreaterThan(300_000);
    expect(bytesFrom(child, 'relay')).toBeGreaterThan(300_000);
    expect(relay.engine.stats().uploadBytes).toBeGreaterThan(300_000);
    expect(relay.engine.stats().uploadBytes).toBeLessThan(bytesFrom(relay, 'root'));

    await clock.advance(8000);
    const loaded = await result;
    expect(loaded?.peerId).toBe('relay');
    expect(sameBytes(loaded?.data, data)).toBe(true);
    expect(sameBytes(relay.store.get(seg(1)), data)).toBe(true);
    expect(relay.engine.stats().uploadBytes).toBe(SIZE);
    expect(relay.engine.stats().p2pBytes).toBe(SIZE);
  });

  it('serves a child that asks mid-transfer from the first byte, with one upstream transfer', async () => {
    const { clock, root, relay, child, data } = chain();
    const late = makeNode(clock, 'late');
    connect(clock, relay, late, STREAM);
    const first = child.engine.fetchFromPeers(seg(1), { timeoutMs: 30_000 });
    await clock.advance(5000);
    const second = late.engine.fetchFromPeers(seg(1), { timeoutMs: 30_000 });
    await clock.advance(100);
    expect(bytesFrom(late, 'relay')).toBeGreaterThan(300_000);

    await clock.advance(7000);
    for (const loaded of await Promise.all([first, second])) {
      expect(sameBytes(loaded?.data, data)).toBe(true);
    }
    expect(root.engine.stats().uploadBytes).toBe(SIZE);
    expect(relay.engine.stats().uploadBytes).toBe(2 * SIZE);
  });

  it('holds back the last byte until the relay verified the segment', async () => {
    const verified: number[] = [];
    let release: (ok: boolean) => void = () => {};
    const { clock, relay, child, data } = chain({
      verifySegment: (_segment, bytes) => {
        verified.push(bytes.byteLength);
        return new Promise<boolean>((resolve) => (release = resolve));
      },
    });
    const result = child.engine.fetchFromPeers(seg(1), { timeoutMs: 30_000 });
    await clock.advance(12_000);
    // Every byte is at the relay, being verified; the child has all but the last one.
    expect(verified).toEqual([SIZE]);
    expect(relay.engine.stats().uploadBytes).toBe(SIZE - 1);
    expect(child.store.has(seg(1))).toBe(false);

    release(true);
    await clock.advance(100);
    const loaded = await result;
    expect(sameBytes(loaded?.data, data)).toBe(true);
    expect(relay.engine.stats().uploadBytes).toBe(SIZE);
  });

  it('aborts the children cleanly when the segment fails verification at the relay', async () => {
    const { clock, relay, child } = chain({ verifySegment: () => false });
    const cutOff: string[] = [];
    relay.engine.onMisbehaviour((peerId) => cutOff.push(peerId));
    child.engine.onMisbehaviour((peerId) => cutOff.push(`child saw ${peerId}`));

    const result = child.engine.fetchFromPeers(seg(1), { timeoutMs: 30_000 });
    await clock.advance(12_000);
    await expect(result).resolves.toBeNull();
    // The relay never completed the bad segment to its child, and cut off the parent that sent it.
    expect(relay.engine.stats().uploadBytes).toBe(SIZE - 1);
    expect(cutOff).toEqual(['root']);
    expect(relay.store.has(seg(1))).toBe(false);
    expect(child.store.has(seg(1))).toBe(false);
    // The relay → child link is fine and still serves: the miss was no protocol violation.
    expect(child.engine.parents(STREAM)).toEqual(['relay']);
    relay.store.put(seg(2), patternBytes(1000, 2));
    const next = child.engine.fetchFromPeers(seg(2), { timeoutMs: 5000 });
    await clock.advance(100);
    expect(sameBytes((await next)?.data, patternBytes(1000, 2))).toBe(true);
  });

  it('aborts the children cleanly when the upstream transfer breaks', async () => {
    const { clock, relay, child, upstream } = chain();
    const cutOff: string[] = [];
    child.engine.onMisbehaviour((peerId) => cutOff.push(peerId));
    const result = child.engine.fetchFromPeers(seg(1), { timeoutMs: 30_000 });
    await clock.advance(3000);
    const forwarded = relay.engine.stats().uploadBytes;
    expect(forwarded).toBeGreaterThan(200_000);

    upstream[0].sever('root crashed');
    await clock.advance(1000);
    await expect(result).resolves.toBeNull();
    expect(relay.engine.stats().uploadBytes).toBe(forwarded);
    expect(cutOff).toEqual([]);
    expect(child.engine.parents(STREAM)).toEqual(['relay']);
    expect(relay.store.has(seg(1))).toBe(false);
  });

  it('stops the upstream transfer when the only child waiting for it cancels', async () => {
    const { clock, root, relay, child } = chain();
    const cancel = createCancelSource();
    const result = child.engine.fetchFromPeers(seg(1), { timeoutMs: 30_000, cancel: cancel.token });
    await clock.advance(3000);
    cancel.cancel();
    await expect(result).rejects.toMatchObject({ kind: 'cancelled' });
    await clock.advance(500);
    const sentByRoot = root.engine.stats().uploadBytes;
    const forwarded = relay.engine.stats().uploadBytes;
    expect(sentByRoot).toBeLessThan(SIZE);

    await clock.advance(10_000);
    expect(root.engine.stats().uploadBytes).toBe(sentByRoot);
    expect(relay.engine.stats().uploadBytes).toBe(forwarded);
    expect(relay.store.has(seg(1))).toBe(false);
  });

  it('keeps the upstream transfer for the relay itself when its child cancels', async () => {
    const { clock, relay, child, data } = chain();
    const cancel = createCancelSource();
    const forChild = child.engine.fetchFromPeers(seg(1), { timeoutMs: 30_000, cancel: cancel.token });
    await clock.advance(1000);
    const forRelay = relay.engine.fetchFromPeers(seg(1), { timeoutMs: 30_000 });
    await clock.advance(1000);
    cancel.cancel();
    await expect(forChild).rejects.toMatchObject({ kind: 'cancelled' });

    await clock.advance(10_000);
    expect(sameBytes((await forRelay)?.data, data)).toBe(true);
  });
});
