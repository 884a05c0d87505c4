import { describe, expect, it } from 'vitest';
import { DATA_FRAME_HEADER_BYTES, type SegmentRef } from '../protocol/index.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { connect, makeNode, patternBytes, sameBytes } from '../testing/engine-harness.ts';
import { createMemoryLinkPair } from './memory-link.ts';
import type { PeerLink } from './types.ts';

const STREAM = 'live';
const seg = (n: number): SegmentRef => ({ streamId: STREAM, url: `http://origin.test/${n}.ts` });

describe('PeerEngine upload', () => {
  it('keeps to the upload cap in every simulated second, fairly across children', async () => {
    const clock = new ManualClock();
    const rate = 200_000;
    const parent = makeNode(clock, 'parent', { uploadBytesPerSecond: rate });
    const children = ['a', 'b', 'c', 'd'].map((id) => makeNode(clock, id));
    for (const child of children) connect(clock, parent, child, STREAM);
    children.forEach((_, i) => parent.store.put(seg(i), patternBytes(500_000, i)));
    const results = children.map((child, i) => child.engine.fetchFromPeers(seg(i), { timeoutMs: 60_000 }));

    const frame = rate / 20 + DATA_FRAME_HEADER_BYTES;
    const burst = rate / 4;
    let previous = 0;
    for (let second = 1; second <= 15; second++) {
      await clock.advance(1000);
      const uploaded = parent.engine.stats().uploadBytes;
      expect(uploaded - previous).toBeLessThanOrEqual(rate + frame + (second === 1 ? burst : 0));
      previous = uploaded;
      if (second === 5) {
        // Round-robin: halfway through, every child has about the same share.
        const got = children.map((c) => c.engine.stats().links[0]?.bytesIn ?? 0);
        const mean = got.reduce((a, b) => a + b, 0) / got.length;
        for (const g of got) expect(Math.abs(g - mean)).toBeLessThan(2 * frame);
        expect(children.every((c) => !c.store.has(seg(0)))).toBe(true);
      }
    }
    const loaded = await Promise.all(results);
    loaded.forEach((l, i) => expect(sameBytes(l?.data, patternBytes(500_000, i))).toBe(true));
    expect(parent.engine.stats().uploadBytes).toBe(2_000_000);
  });

  it('changes its upload cap at run time, mid-upload', async () => {
    const clock = new ManualClock();
    const parent = makeNode(clock, 'parent', { uploadBytesPerSecond: 400_000 });
    const child = makeNode(clock, 'child');
    connect(clock, parent, child, STREAM);
    parent.store.put(seg(0), patternBytes(2_000_000, 7));
    const result = child.engine.fetchFromPeers(seg(0), { timeoutMs: 60_000 });
    await clock.advance(2000);
    const atFull = parent.engine.stats().uploadBytes;
    expect(atFull).toBeGreaterThan(700_000);
    expect(atFull).toBeLessThan(1_000_000);

    parent.engine.setUploadCap(100_000);
    await clock.advance(2000);
    const atQuarter = parent.engine.stats().uploadBytes - atFull;
    // A quarter of the rate from the change on (plus at most a frame or two of slack).
    expect(atQuarter).toBeGreaterThan(150_000);
    expect(atQuarter).toBeLessThan(230_000);

    parent.engine.setUploadCap(undefined);
    await clock.advance(100);
    const loaded = await result;
    expect(sameBytes(loaded?.data, patternBytes(2_000_000, 7))).toBe(true);
    expect(() => parent.engine.setUploadCap(0)).toThrow(/positive/);
    expect(() => parent.engine.setUploadCap(Number.NaN)).toThrow(/positive/);
  });

  it('queues no more into a link than its high-water mark allows', async () => {
    const clock = new ManualClock();
    const highWater = 64 * 1024;
    const parent = makeNode(clock, 'parent', { highWaterMarkBytes: highWater, backpressurePollMs: 5 });
    const child = makeNode(clock, 'child');
    const [atParent, atChild] = createMemoryLinkPair('parent', 'child', { clock, bytesPerSecond: 100_000 });
    let maxBuffered = 0;
    const watched: PeerLink = {
      peerId: atParent.peerId,
      send(data) {
        atParent.send(data);
        maxBuffered = Math.max(maxBuffered, atParent.bufferedAmount());
      },
      bufferedAmount: () => atParent.bufferedAmount(),
      close: () => atParent.close(),
      onMessage: (l) => atParent.onMessage(l),
      onClose: (l) => atParent.onClose(l),
    };
    parent.engine.addLink(STREAM, watched, 'child');
    child.engine.addLink(STREAM, atChild, 'parent');
    parent.store.put(seg(1), patternBytes(1_000_000));

    const result = child.engine.fetchFromPeers(seg(1), { timeoutMs: 60_000 });
    await clock.advance(15_000);
    expect(sameBytes((await result)?.data, patternBytes(1_000_000))).toBe(true);
    // At most one frame (plus small control messages) goes in above the mark.
    expect(maxBuffered).toBeLessThanOrEqual(highWater + 64 * 1024 + DATA_FRAME_HEADER_BYTES + 200);
  });

  it('resumes a link held back by backpressure on its bufferedamountlow event, not the poll', async () => {
    const clock = new ManualClock();
    // A poll this slow would take minutes for a megabyte: only the drain event keeps it moving.
    const parent = makeNode(clock, 'parent', { highWaterMarkBytes: 64 * 1024, backpressurePollMs: 60_000 });
    const child = makeNode(clock, 'child');
    const [atParent, atChild] = createMemoryLinkPair('parent', 'child', { clock, bytesPerSecond: 1_000_000 });
    parent.engine.addLink(STREAM, atParent, 'child');
    child.engine.addLink(STREAM, atChild, 'parent');
    parent.store.put(seg(1), patternBytes(1_000_000));

    const result = child.engine.fetchFromPeers(seg(1), { timeoutMs: 60_000 });
    // One second of wire time for the megabyte, plus the frames' headers and a little slack.
    await clock.advance(1100);
    expect(sameBytes((await result)?.data, patternBytes(1_000_000))).toBe(true);
  });

  it('serves no children with a cap of zero, and refuses a negative cap', async () => {
    const clock = new ManualClock();
    const parent = makeNode(clock, 'parent', { uploadBytesPerSecond: 0 });
    const child = makeNode(clock, 'child');
    connect(clock, parent, child, STREAM);
    parent.store.put(seg(1), patternBytes(1000));
    const result = child.engine.fetchFromPeers(seg(1), { timeoutMs: 5000 });
    await clock.advance(100);
    await expect(result).resolves.toBeNull();
    expect(parent.engine.stats().uploadBytes).toBe(0);
    expect(() => makeNode(clock, 'bad', { uploadBytesPerSecond: -1 })).toThrow(/uploadBytesPerSecond/);
  });
});
