import { describe, expect, it } from 'vitest';
import type { SegmentRef } from '../protocol/index.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { connect, makeNode, patternBytes } from '../testing/engine-harness.ts';
import { PeerEngineError } from './errors.ts';
import type { LinkClosedEvent } from './peer-engine-types.ts';

/** Whole-segment requests (the path striped pulls fall back to): these tests are about it. */
const WHOLE = { striping: false } as const;

const STREAM = 'live';
const seg = (n: number, streamId = STREAM): SegmentRef => ({
  streamId,
  url: `http://origin.test/${streamId}/${n}.m4s`,
});

describe('PeerEngine links and figures', () => {
  it('asks the parent with the shorter round trip first', async () => {
    const clock = new ManualClock();
    const far = makeNode(clock, 'far');
    const near = makeNode(clock, 'near');
    const child = makeNode(clock, 'child', { ...WHOLE, pingIntervalMs: 1000 });
    connect(clock, far, child, STREAM, { latencyMs: 80 });
    connect(clock, near, child, STREAM, { latencyMs: 5 });
    for (const p of [far, near]) p.store.put(seg(1), patternBytes(1000));
    expect(child.engine.parents(STREAM)).toEqual(['far', 'near']);
    await clock.advance(2000);
    expect(child.engine.parents(STREAM)).toEqual(['near', 'far']);
    const result = child.engine.fetchFromPeers(seg(1), { timeoutMs: 5000 });
    await clock.advance(100);
    expect((await result)?.peerId).toBe('near');
  });

  it('prefers the parent that delivered faster', async () => {
    const clock = new ManualClock();
    const slow = makeNode(clock, 'slow');
    const fast = makeNode(clock, 'fast');
    const child = makeNode(clock, 'child', WHOLE);
    connect(clock, slow, child, STREAM, { bytesPerSecond: 200_000 });
    connect(clock, fast, child, STREAM, { bytesPerSecond: 5_000_000 });
    for (let i = 1; i <= 2; i++) {
      slow.store.put(seg(i), patternBytes(500_000, i));
      fast.store.put(seg(i), patternBytes(500_000, i));
    }
    // Both are new: the first fetch goes to the first one added; the second to the idle one.
    const a = child.engine.fetchFromPeers(seg(1), { timeoutMs: 60_000 });
    const b = child.engine.fetchFromPeers(seg(2), { timeoutMs: 60_000 });
    await clock.advance(5000);
    expect([(await a)?.peerId, (await b)?.peerId]).toEqual(['slow', 'fast']);
    expect(child.engine.parents(STREAM)).toEqual(['fast', 'slow']);
  });

  it('measures RTT with ping and pong', async () => {
    const clock = new ManualClock();
    const a = makeNode(clock, 'a', { pingIntervalMs: 1000 });
    const b = makeNode(clock, 'b', { pingIntervalMs: 1000 });
    connect(clock, a, b, STREAM, { latencyMs: 40 });
    await clock.advance(3000);
    expect(a.engine.stats().links[0]?.rttMs).toBe(80);
    expect(b.engine.stats().links[0]?.rttMs).toBe(80);
  });

  it('refuses a timeout that is not a number of milliseconds', async () => {
    const clock = new ManualClock();
    const node = makeNode(clock, 'n');
    await expect(node.engine.fetchFromPeers(seg(1), { timeoutMs: Number.NaN })).rejects.toMatchObject({
      kind: 'invalid-argument',
    });
    await expect(node.engine.fetchFromPeers(seg(1), { timeoutMs: -1 })).rejects.toBeInstanceOf(
      PeerEngineError,
    );
  });

  it('adds host-reported HTTP bytes to its figures and refuses nonsense', () => {
    const clock = new ManualClock();
    const node = makeNode(clock, 'n');
    node.engine.recordHttpBytes(1234);
    expect(node.engine.stats()).toMatchObject({
      httpBytes: 1234,
      p2pBytes: 0,
      uploadBytes: 0,
      storeBytes: 0,
    });
    expect(() => node.engine.recordHttpBytes(-1)).toThrow(PeerEngineError);
  });

  it('lets a peer be a parent in one stream and a child in another', async () => {
    const clock = new ManualClock();
    const a = makeNode(clock, 'a');
    const b = makeNode(clock, 'b');
    connect(clock, a, b, 'one');
    connect(clock, b, a, 'two');
    a.store.put(seg(1, 'one'), patternBytes(500, 1));
    b.store.put(seg(2, 'two'), patternBytes(500, 2));
    const atB = b.engine.fetchFromPeers(seg(1, 'one'), { timeoutMs: 5000 });
    const atA = a.engine.fetchFromPeers(seg(2, 'two'), { timeoutMs: 5000 });
    await clock.advance(100);
    expect((await atB)?.peerId).toBe('a');
    expect((await atA)?.peerId).toBe('b');
    // Neither may pull the other's stream the wrong way round.
    const wrongWay = a.engine.fetchFromPeers(seg(3, 'one'), { timeoutMs: 5000 });
    await clock.advance(100);
    await expect(wrongWay).resolves.toBeNull();
  });

  it('removes links per stream and closes a link left with none', async () => {
    const clock = new ManualClock();
    const a = makeNode(clock, 'a');
    const b = makeNode(clock, 'b');
    const [atA] = connect(clock, a, b, 'one');
    a.engine.addLink('two', atA, 'child');
    const closed: LinkClosedEvent[] = [];
    a.engine.onLinkClosed((e) => closed.push(e));
    expect(a.engine.removeLink('b', 'one')).toBe(0);
    expect(atA.closed).toBe(false);
    expect(a.engine.removeStream('two')).toBe(1);
    expect(atA.closed).toBe(true);
    expect(closed).toEqual([{ peerId: 'b', streams: [], reason: 'stream two released' }]);
    await clock.advance(100);
    expect(b.engine.hasParents('one')).toBe(false);
  });

  it('closes everything on destroy', async () => {
    const clock = new ManualClock();
    const parent = makeNode(clock, 'parent');
    const child = makeNode(clock, 'child');
    const [atParent] = connect(clock, parent, child, STREAM);
    parent.engine.destroy();
    expect(atParent.closed).toBe(true);
    expect(() => parent.engine.addLink(STREAM, atParent, 'child')).toThrow(PeerEngineError);
    await clock.advance(100);
    expect(child.engine.stats().links).toEqual([]);
  });
});
