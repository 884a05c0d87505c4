import {
  PeerEngine,
  patternBytes,
  SegmentStore,
  segmentKey,
  type SegmentRef,
  type StripeStats,
} from '@p2pcdn/core';
import createDebug from 'debug';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeClock } from '../src/node-clock.ts';
import { connectEngines, type EngineLink } from './helpers/engine-links.ts';

const STREAM = 'stripe-vod';
const SEGMENT_BYTES = 1024 * 1024;
const SEGMENTS = 24;
/** Upload caps of the three parents, bytes per second: 1 : 2 : 4. */
const CAPS = { slow: 400_000, mid: 800_000, fast: 1_600_000 } as const;
type Name = keyof typeof CAPS;
const IN_FLIGHT = 3;

const seg = (n: number): SegmentRef => ({ streamId: STREAM, url: `http://127.0.0.1/vod/seg-${n}.m4s` });
const content = (n: number): Uint8Array => patternBytes(SEGMENT_BYTES, n + 1);

interface Node {
  id: string;
  engine: PeerEngine;
  store: SegmentStore;
}

/** Protocol violations the engines logged (a misnumbered block would be one). */
const badFrames: string[] = [];

function node(id: string, uploadBytesPerSecond?: number): Node {
  const debug = createDebug(`p2pcdn:test:striped:${id}`);
  const store = new SegmentStore({ capacityBytes: (SEGMENTS + 4) * SEGMENT_BYTES });
  const engine = new PeerEngine({
    nodeId: id,
    clock: nodeClock,
    store,
    log: (format: unknown, ...args: unknown[]) => {
      if (typeof format === 'string' && format.startsWith('bad frame')) badFrames.push(`${id}: ${format}`);
      debug(format, ...args);
    },
    ...(uploadBytesPerSecond !== undefined && { uploadBytesPerSecond }),
  });
  return { id, engine, store };
}

/** Pulls `from`…`to - 1` back to back, `IN_FLIGHT` at a time; `inFlight` holds those under way. */
async function pullRange(
  receiver: Node,
  from: number,
  to: number,
  got: Map<number, Uint8Array>,
  inFlight: Set<number>,
): Promise<void> {
  let next = from;
  const worker = async (): Promise<void> => {
    while (next < to) {
      const n = next++;
      inFlight.add(n);
      const loaded = await receiver.engine.fetchFromPeers(seg(n), { timeoutMs: 30_000 });
      inFlight.delete(n);
      if (!loaded) throw new Error(`segment ${n} did not arrive`);
      got.set(n, loaded.data);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

function shareOf(stats: StripeStats | undefined, id: string): number {
  return stats?.sources.find((s) => s.peerId === id)?.share ?? 0;
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Striped pulls (issue 4) on real node-datachannel links over loopback: a receiver engine with
 * three parent engines in this process, each holding the same VOD segments and capped at its own
 * upload rate. The caps are the engines' own upload schedulers, as on a relay.
 */
describe('striped pulls over node-datachannel', () => {
  const nodes: Node[] = [];
  const links: EngineLink[] = [];

  afterEach(() => {
    badFrames.length = 0;
    for (const n of nodes.splice(0)) n.engine.destroy();
    for (const link of links.splice(0)) {
      link.atChild.destroy();
      link.atParent.destroy();
    }
  });

  it('reassemble every segment byte for byte, weight faster parents, and survive losing one mid-segment', async () => {
    const receiver = node('receiver');
    const parents = Object.fromEntries(
      (Object.keys(CAPS) as Name[]).map((name) => [name, node(name, CAPS[name])]),
    ) as Record<Name, Node>;
    nodes.push(receiver, ...Object.values(parents));
    for (const parent of Object.values(parents)) {
      // The same VOD segments on every parent.
      for (let n = 0; n < SEGMENTS; n++) parent.store.put(seg(n), content(n));
    }
    for (const parent of Object.values(parents)) {
      links.push(await connectEngines(parent, receiver, STREAM));
    }
    const obtained = new Map<string, number>();
    receiver.engine.onSegment((event) => {
      const key = segmentKey(event.segment);
      obtained.set(key, (obtained.get(key) ?? 0) + 1);
    });
    const got = new Map<number, Uint8Array>();
    const inFlight = new Set<number>();

    // About four pattern intervals of pulling; the pattern is sampled from the second on.
    const samples: StripeStats[] = [];
    const started = Date.now();
    const sampler = setInterval(() => {
      const [stats] = receiver.engine.stripeStats();
      if (stats && Date.now() - started >= 2000) samples.push(stats);
    }, 100);
    await pullRange(receiver, 0, 14, got, inFlight);
    clearInterval(sampler);
    const [weighted] = receiver.engine.stripeStats();
    // Probes answered at each cap's pace may give the right pattern at once (epoch 0 then stays).
    expect(weighted?.pattern).toMatch(/^[A-C]+$/);
    expect(weighted?.sources.map((s) => s.peerId).sort()).toEqual(['fast', 'mid', 'slow']);
    for (const source of weighted?.sources ?? []) expect(source.bytes, source.peerId).toBeGreaterThan(0);
    // Shares over those samples (1 : 2 : 4 would be 0.14, 0.29, 0.57).
    const mean = (id: string): number => samples.reduce((sum, s) => sum + shareOf(s, id), 0) / samples.length;
    const shown = `slow ${mean('slow')}, mid ${mean('mid')}, fast ${mean('fast')} over ${samples.length}`;
    expect(samples.length).toBeGreaterThan(5);
    expect(mean('fast'), shown).toBeGreaterThan(mean('mid'));
    expect(mean('mid'), shown).toBeGreaterThan(mean('slow'));
    expect(mean('fast'), shown).toBeGreaterThan(0.4);
    for (const parent of Object.values(parents)) {
      expect(parent.engine.stats().uploadBytes, parent.id).toBeGreaterThan(0);
    }

    // The mid parent dies while it is sending blocks of the segments in flight.
    const midBefore = parents.mid.engine.stats().uploadBytes;
    const rest = pullRange(receiver, 14, SEGMENTS, got, inFlight);
    await until(() => parents.mid.engine.stats().uploadBytes > midBefore + 128 * 1024, 10_000);
    const cutAt = [...inFlight];
    expect(cutAt.length).toBeGreaterThan(0);
    parents.mid.engine.destroy();
    links[1]?.atParent.destroy();
    const survivorsBefore = parents.slow.engine.stats().uploadBytes + parents.fast.engine.stats().uploadBytes;
    await rest;

    for (let n = 0; n < SEGMENTS; n++) {
      const data = got.get(n);
      expect(data?.byteLength, `segment ${n}`).toBe(SEGMENT_BYTES);
      expect(Buffer.compare(Buffer.from(data ?? []), Buffer.from(content(n))), `segment ${n}`).toBe(0);
    }
    // Each segment obtained exactly once, none twice or missing, and counted once.
    expect(obtained.size).toBe(SEGMENTS);
    expect([...obtained.values()].every((count) => count === 1)).toBe(true);
    expect(receiver.engine.stats().p2pBytes).toBe(SEGMENTS * SEGMENT_BYTES);
    expect(receiver.engine.parents(STREAM).sort()).toEqual(['fast', 'slow']);
    const survivorsAfter = parents.slow.engine.stats().uploadBytes + parents.fast.engine.stats().uploadBytes;
    expect(survivorsAfter - survivorsBefore).toBeGreaterThan(0);
    expect(badFrames).toEqual([]);
    const [after] = receiver.engine.stripeStats();
    expect(after?.sources.map((s) => s.peerId).sort()).toEqual(['fast', 'slow']);
    expect(shareOf(after, 'fast')).toBeGreaterThan(shareOf(after, 'slow'));
  }, 60_000);
});
