import { describe, expect, it } from 'vitest';
import type { SegmentRef } from '../protocol/index.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import {
  connect,
  makeNode,
  patternBytes,
  sameBytes,
  type TestNode,
  type TestNodeOptions,
} from '../testing/engine-harness.ts';
import type { MisbehaviourDetail } from './peer-engine-types.ts';

const STREAM = 'live';
const seg = (n: number): SegmentRef => ({ streamId: STREAM, url: `http://origin.test/live/${n}.m4s` });
const SIZE = 400_000;

/** Parents named `names`, each holding segments 0…count-1, connected to a fresh child. */
function family(
  clock: ManualClock,
  names: string[],
  options: {
    count?: number;
    bytesPerSecond?: number[];
    hold?: (name: string, n: number) => boolean;
    child?: TestNodeOptions;
  } = {},
): { child: TestNode; parents: TestNode[]; links: ReturnType<typeof connect>[] } {
  const child = makeNode(clock, 'child', options.child);
  const parents = names.map((name) => makeNode(clock, name));
  const links = parents.map((parent, i) => {
    for (let n = 0; n < (options.count ?? 4); n++) {
      if (options.hold?.(parent.id, n) ?? true) parent.store.put(seg(n), patternBytes(SIZE, n + 1));
    }
    const bytesPerSecond = options.bytesPerSecond?.[i];
    return connect(clock, parent, child, STREAM, bytesPerSecond === undefined ? {} : { bytesPerSecond });
  });
  return { child, parents, links };
}

async function fetchSegment(clock: ManualClock, child: TestNode, n: number, ms = 5000) {
  const result = child.engine.fetchFromPeers(seg(n), { timeoutMs: 30_000 });
  for (let t = 0; t < ms; t += 50) await clock.advance(50);
  return result;
}

describe('PeerEngine striped pulls', () => {
  it('pulls one segment from two parents at once, byte for byte', async () => {
    const clock = new ManualClock();
    const { child, parents } = family(clock, ['a', 'b']);
    const loaded = await fetchSegment(clock, child, 1);

    expect(loaded?.source).toBe('p2p');
    expect(sameBytes(loaded?.data, patternBytes(SIZE, 2))).toBe(true);
    const [a, b] = parents.map((p) => p.engine.stats().uploadBytes);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    expect((a ?? 0) + (b ?? 0)).toBe(SIZE);
    const [stats] = child.engine.stripeStats();
    expect(stats?.pattern).toMatch(/^[AB]+$/);
    expect(new Set(stats?.pattern)).toEqual(new Set(['A', 'B']));
    expect(stats?.sources.map((s) => s.peerId).sort()).toEqual(['a', 'b']);
  });

  it('gives the faster parent more blocks after a recalculation', { timeout: 60_000 }, async () => {
    const clock = new ManualClock();
    const { child } = family(clock, ['slow', 'fast'], { count: 12, bytesPerSecond: [250_000, 750_000] });
    // Several segments in flight keep both parents busy, as a pull that runs ahead would.
    const results = Array.from({ length: 12 }, (_, n) =>
      child.engine.fetchFromPeers(seg(n), { timeoutMs: 60_000 }),
    );
    for (let t = 0; t < 8000; t += 50) await clock.advance(50);
    const loaded = await Promise.all(results);
    loaded.forEach((l, n) => expect(sameBytes(l?.data, patternBytes(SIZE, n + 1))).toBe(true));

    const [stats] = child.engine.stripeStats();
    const share = (id: string) => stats?.sources.find((s) => s.peerId === id)?.share ?? 0;
    expect(stats?.epoch).toBeGreaterThan(0);
    expect(share('fast')).toBeGreaterThan(0.6);
    // The last interval is the pull's tail: the slow parent's link still holds blocks the fast
    // one was asked for meanwhile (duplicates, which count for nothing), so it may weigh less.
    expect(share('fast')).toBeLessThanOrEqual(0.9);
    expect(share('slow')).toBeGreaterThanOrEqual(0.1);
  });

  it('re-requests from the other parent the blocks a parent that vanished owed', async () => {
    const clock = new ManualClock();
    const { child, links } = family(clock, ['a', 'b'], { bytesPerSecond: [200_000, 200_000] });
    const result = child.engine.fetchFromPeers(seg(2), { timeoutMs: 30_000 });
    await clock.advance(300);
    links[0]?.[0].sever('gone');
    for (let t = 0; t < 5000; t += 50) await clock.advance(50);
    const loaded = await result;
    expect(sameBytes(loaded?.data, patternBytes(SIZE, 3))).toBe(true);
    expect(child.engine.parents(STREAM)).toEqual(['b']);
  });

  it('takes every block from the other parent when one does not hold the segment', async () => {
    const clock = new ManualClock();
    const { child, parents } = family(clock, ['a', 'b'], { hold: (name, n) => name === 'b' || n !== 3 });
    const loaded = await fetchSegment(clock, child, 3);
    expect(sameBytes(loaded?.data, patternBytes(SIZE, 4))).toBe(true);
    expect(parents[1]?.engine.stats().uploadBytes).toBe(SIZE);
  });

  it('re-requests the blocks of a parent that stalls, and benches it', async () => {
    const clock = new ManualClock();
    // A parent whose link crawls: it answers a small probe, but a block takes it 4 s.
    const { child, parents } = family(clock, ['crawl', 'b'], {
      bytesPerSecond: [4_000, 2_000_000],
      child: { striping: { probeBytes: 512 } },
    });
    const loaded = await fetchSegment(clock, child, 0, 6000);
    expect(sameBytes(loaded?.data, patternBytes(SIZE, 1))).toBe(true);
    expect(parents[1]?.engine.stats().uploadBytes).toBeGreaterThan(SIZE / 2);
    const [stats] = child.engine.stripeStats();
    expect(stats?.sources.find((s) => s.peerId === 'crawl')?.share).toBe(0);
  });

  it('blames the parent whose block fails its per-block hash and gets the segment elsewhere', async () => {
    const clock = new ManualClock();
    const good = patternBytes(SIZE, 1);
    const blockBytes = 16 * 1024;
    const child = makeNode(clock, 'child', {
      verifySegment: (_s, data) => sameBytes(data, good),
      verifyBlock: (_s, index, bytes, payload) =>
        sameBytes(payload, good.subarray(index * bytes, Math.min(SIZE, (index + 1) * bytes))),
    });
    const honest = makeNode(clock, 'honest');
    const liar = makeNode(clock, 'liar');
    honest.store.put(seg(0), good);
    const bad = good.slice();
    bad[5 * blockBytes + 7] = (bad[5 * blockBytes + 7] ?? 0) ^ 0xff;
    bad[6 * blockBytes + 7] = (bad[6 * blockBytes + 7] ?? 0) ^ 0xff;
    liar.store.put(seg(0), bad);
    connect(clock, honest, child, STREAM);
    connect(clock, liar, child, STREAM);
    const reports: [string, MisbehaviourDetail][] = [];
    child.engine.onMisbehaviour((peerId, _reason, detail) => reports.push([peerId, detail]));

    const loaded = await fetchSegment(clock, child, 0);
    expect(sameBytes(loaded?.data, good)).toBe(true);
    expect(loaded?.peerId).toBe('honest');
    expect(reports.map(([id, d]) => [id, d.kind])).toEqual([['liar', 'bad-data']]);
    expect(child.engine.parents(STREAM)).toEqual(['honest']);
  });

  it('finds the culprit by whole-segment requests when there are no block hashes', async () => {
    const clock = new ManualClock();
    const good = patternBytes(SIZE, 1);
    const child = makeNode(clock, 'child', { verifySegment: (_s, data) => sameBytes(data, good) });
    const honest = makeNode(clock, 'honest');
    const liar = makeNode(clock, 'liar');
    honest.store.put(seg(0), good);
    liar.store.put(
      seg(0),
      good.map((x) => x ^ 1),
    );
    connect(clock, honest, child, STREAM);
    connect(clock, liar, child, STREAM);
    const reported: string[] = [];
    child.engine.onMisbehaviour((peerId) => reported.push(peerId));

    const loaded = await fetchSegment(clock, child, 0);
    expect(sameBytes(loaded?.data, good)).toBe(true);
    expect(reported).not.toContain('honest');
  });

  it('forwards a striped segment to its own child as the blocks arrive in order', async () => {
    const clock = new ManualClock();
    const { child: relay } = family(clock, ['a', 'b'], { bytesPerSecond: [300_000, 300_000] });
    const leaf = makeNode(clock, 'leaf');
    connect(clock, relay, leaf, STREAM);
    const result = leaf.engine.fetchFromPeers(seg(1), { timeoutMs: 30_000 });
    for (let t = 0; t < 5000; t += 50) await clock.advance(50);
    const loaded = await result;
    expect(sameBytes(loaded?.data, patternBytes(SIZE, 2))).toBe(true);
    expect(relay.engine.stats().p2pBytes).toBe(SIZE);
  });

  it('gives no blocks to a parent the plan no longer lists (make before break)', async () => {
    const clock = new ManualClock();
    const { child, parents } = family(clock, ['old', 'new']);
    child.engine.setPlannedParents(STREAM, ['new']);
    const loaded = await fetchSegment(clock, child, 1);
    expect(sameBytes(loaded?.data, patternBytes(SIZE, 2))).toBe(true);
    // One planned parent: the segment comes whole from one parent, not striped beside the old one.
    const uploads = parents.map((p) => p.engine.stats().uploadBytes);
    expect(uploads.filter((b) => b > 0)).toEqual([SIZE]);
    expect(child.engine.stripeStats()).toEqual([]);
    child.engine.setPlannedParents(STREAM, ['old', 'new']);
    await fetchSegment(clock, child, 2);
    expect(child.engine.stripeStats()[0]?.sources.length).toBe(2);
  });

  it('pulls whole segments from the best parent when striping is off', async () => {
    const clock = new ManualClock();
    const child = makeNode(clock, 'child', { striping: false });
    const a = makeNode(clock, 'a');
    const b = makeNode(clock, 'b');
    a.store.put(seg(0), patternBytes(SIZE, 1));
    b.store.put(seg(0), patternBytes(SIZE, 1));
    connect(clock, a, child, STREAM);
    connect(clock, b, child, STREAM);
    const loaded = await fetchSegment(clock, child, 0);
    expect(sameBytes(loaded?.data, patternBytes(SIZE, 1))).toBe(true);
    expect(a.engine.stats().uploadBytes + b.engine.stats().uploadBytes).toBe(SIZE);
    expect(Math.min(a.engine.stats().uploadBytes, b.engine.stats().uploadBytes)).toBe(0);
    expect(child.engine.stripeStats()).toEqual([]);
  });
});

describe('PeerEngine striped pulls in route mode', () => {
  it("pulls an upstream's blocks over two routing relays, each routing from that upstream only", async () => {
    const clock = new ManualClock();
    const upstream = makeNode(clock, 'u');
    const other = makeNode(clock, 'w');
    const routers = [makeNode(clock, 'r1'), makeNode(clock, 'r2')];
    const viewer = makeNode(clock, 'v');
    upstream.store.put(seg(0), patternBytes(SIZE, 1));
    other.store.put(seg(0), patternBytes(SIZE, 1));
    for (const router of routers) {
      connect(clock, upstream, router, STREAM);
      connect(clock, other, router, STREAM);
      connect(clock, router, viewer, STREAM);
    }
    viewer.engine.setStripeRoutes(
      STREAM,
      new Map([
        ['r1', 'u'],
        ['r2', 'u'],
      ]),
    );
    const loaded = await fetchSegment(clock, viewer, 0);

    expect(sameBytes(loaded?.data, patternBytes(SIZE, 1))).toBe(true);
    expect(routers.every((r) => r.engine.stats().uploadBytes > 0)).toBe(true);
    // Both routes ran through u: the other parent of the routers sent nothing.
    expect(upstream.engine.stats().uploadBytes).toBeGreaterThanOrEqual(SIZE);
    expect(other.engine.stats().uploadBytes).toBe(0);
  });
});
