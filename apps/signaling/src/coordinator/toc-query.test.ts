import { TocAnswerSchema, type NodeStats } from '@p2pcdn/core';
import { describe, expect, it } from 'vitest';
import { stateDigest } from './digest.ts';
import { world, type Peer } from './test-world.ts';
import { answerToc } from './toc-query.ts';

const key = (n: number): string => `http://o/seg-${n}.m4s`;
const range = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => key(from + i));

/** A heartbeat in which `peer` has sent `bytesOut` to one child so far. */
const beat = (peer: Peer, bytesOut: number): unknown =>
  peer.send({
    type: 'stats',
    stats: {
      httpBytes: 0,
      p2pBytes: 0,
      uploadBytes: bytesOut,
      links: [{ peerId: 'child', bytesIn: 0, bytesOut }],
    } satisfies NodeStats,
  });

/** Two relays and a viewer of `live`, whose playlist numbers seg-N as N (100 to 109). */
async function holders() {
  const w = world();
  const { c, clock, connect } = w;
  c.sequences.index.record(
    'live',
    range(100, 109).map((k, i) => ({ key: k, sequence: 100 + i })),
  );
  const small = connect('relay', 5000, 'small');
  const big = connect('relay', 20_000, 'big');
  const viewer = connect('viewer', 0, 'tab');
  viewer.send({ type: 'join', streamId: 'live' });
  small.send({ type: 'have', streamId: 'live', added: range(100, 105), removed: [] });
  big.send({ type: 'have', streamId: 'live', added: [key(103), key(104), key(107)], removed: [] });
  viewer.send({ type: 'have', streamId: 'live', added: [key(103)], removed: [] });
  // big sends 1 MB/s (8000 kbit/s) for 2 s; small has not reported twice yet.
  beat(big, 0);
  beat(small, 0);
  await clock.advance(1000);
  beat(big, 1_000_000);
  await clock.advance(1000);
  beat(big, 2_000_000);
  return { ...w, small, big, viewer };
}

describe('answerToc', () => {
  it('lists who holds segment n, best first, with measured upload, spare capacity and run length', async () => {
    const { c, small, big, viewer } = await holders();
    const toc = await answerToc(c, { streamId: 'live', from: 103, asker: viewer.id });
    expect(TocAnswerSchema.parse(toc)).toEqual(toc);
    expect(toc).toMatchObject({
      streamId: 'live',
      from: 103,
      keys: [key(103)],
      indexed: { first: 100, last: 109 },
    });
    expect(toc.total).toBe(2);
    expect(toc.holders).toEqual([
      {
        nodeId: big.id,
        role: 'relay',
        name: 'big',
        region: 'local',
        through: 104, // 107 is held too, but not 105 and 106
        segments: 3,
        upKbps: 8000,
        measuredMs: 2000,
        capKbps: 20_000,
        spareKbps: 12_000,
        inTree: expect.any(Boolean),
      },
      {
        nodeId: small.id,
        role: 'relay',
        name: 'small',
        region: 'local',
        through: 105,
        segments: 6,
        upKbps: 0,
        measuredMs: 0,
        capKbps: 5000,
        spareKbps: 5000,
        inTree: expect.any(Boolean),
      },
    ]);
  });

  it('counts a node as a holder from n only if it holds n, and leaves the asker out', async () => {
    const { c, small, big, viewer } = await holders();
    expect((await answerToc(c, { streamId: 'live', from: 105 })).holders.map((h) => h.nodeId)).toEqual([
      small.id,
    ]);
    expect((await answerToc(c, { streamId: 'live', from: 106 })).holders).toEqual([]);
    const bySmall = await answerToc(c, { streamId: 'live', from: 103, asker: small.id });
    expect(bySmall.holders.map((h) => h.nodeId)).toEqual([big.id, viewer.id]);
    expect(bySmall.holders[1]).toMatchObject({ role: 'viewer', capKbps: 0, spareKbps: 0, inTree: true });
  });

  it('honours the limit, and answers an unknown number with no keys and no holders', async () => {
    const { c, big } = await holders();
    const one = await answerToc(c, { streamId: 'live', from: 103, limit: 1 });
    expect(one.holders.map((h) => h.nodeId)).toEqual([big.id]);
    expect(one.total).toBe(3);
    expect(await answerToc(c, { streamId: 'live', from: 5000 })).toEqual({
      streamId: 'live',
      from: 5000,
      keys: [],
      indexed: { first: 100, last: 109 },
      holders: [],
      total: 0,
    });
  });

  it('ranks a node whose measured upload eats its cap below an idle one', async () => {
    const { c, clock, small, big } = await holders();
    // big now sends 2.5 MB/s: 20 000 kbit/s, its whole cap, over the window.
    for (let t = 1; t <= 5; t++) {
      await clock.advance(1000);
      beat(big, 2_000_000 + t * 2_500_000);
    }
    const toc = await answerToc(c, { streamId: 'live', from: 103, limit: 2 });
    expect(toc.holders.map((h) => [h.nodeId, h.spareKbps])).toEqual([
      [small.id, 5000],
      [big.id, expect.any(Number)],
    ]);
    expect(toc.holders[1]?.spareKbps).toBeLessThan(5000);
  });
});

describe('toc-query', () => {
  it('answers a node over its session with the table of contents in the ack', async () => {
    const { small, viewer, big } = await holders();
    const ack = (await viewer.send({ type: 'toc-query', streamId: 'live', from: 104 })) as {
      toc: { holders: Array<{ nodeId: string }> };
    };
    expect(ack.toc.holders.map((h) => h.nodeId)).toEqual([big.id, small.id]);
  });

  it('refuses an unknown stream, and a viewer asking about a stream it does not watch, changing nothing', async () => {
    const { c, connect } = await holders();
    const stranger = connect('viewer', 0);
    const before = stateDigest(c);
    await expect(
      Promise.resolve().then(() => stranger.send({ type: 'toc-query', streamId: 'live', from: 103 })),
    ).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(
      Promise.resolve().then(() => stranger.send({ type: 'toc-query', streamId: 'nope', from: 103 })),
    ).rejects.toMatchObject({ kind: 'unknown-stream' });
    await expect(answerToc(c, { streamId: 'nope', from: 1 })).rejects.toMatchObject({
      kind: 'unknown-stream',
    });
    expect(stateDigest(c)).toEqual(before);
  });
});
