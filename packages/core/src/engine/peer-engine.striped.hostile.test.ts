import { describe, expect, it } from 'vitest';
import {
  encodeBlockFrame,
  encodeStripeMessage,
  parsePeerWireMessage,
  type PeerWireMessage,
  type SegmentRef,
  type StripeMessage,
} from '../protocol/index.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { connect, makeNode, patternBytes, sameBytes, type TestNode } from '../testing/engine-harness.ts';
import { createMemoryLinkPair, type MemoryLink } from './memory-link.ts';
import type { LinkRole } from './types.ts';

const STREAM = 'live';
const SIZE = 100_000;
const seg = (n: number): SegmentRef => ({ streamId: STREAM, url: `http://origin.test/${n}.m4s` });

/** A raw link end driven by the test, attached to `victim` in `role` (the hostile peer's side). */
function hostile(
  clock: ManualClock,
  victim: TestNode,
  role: LinkRole,
  name = 'evil',
): { evil: MemoryLink; heard: PeerWireMessage[]; blocks: Uint8Array[] } {
  const [evil, atVictim] = createMemoryLinkPair(name, victim.id, { clock, latencyMs: 1 });
  const heard: PeerWireMessage[] = [];
  const blocks: Uint8Array[] = [];
  evil.onMessage((data) => {
    if (typeof data !== 'string') return void blocks.push(data);
    const parsed = parsePeerWireMessage(data);
    if (parsed.ok) heard.push(parsed.value);
  });
  victim.engine.addLink(STREAM, atVictim, role);
  return { evil, heard, blocks };
}

const say = (link: MemoryLink, msg: StripeMessage): void => link.send(encodeStripeMessage(msg));
const pattern = (sub: number, streamId = STREAM): Extract<StripeMessage, { type: 'pattern' }> => ({
  type: 'pattern',
  sub,
  streamId,
  epoch: 0,
  startSeq: 0,
  pattern: 'A',
  letter: 'A',
});

describe('striped pulls against a hostile peer', () => {
  it('a hostile receiver: bad subscriptions and floods are refused, then it is cut off', async () => {
    const clock = new ManualClock();
    const source = makeNode(clock, 'source', { badFrameThreshold: 6 });
    source.store.put(seg(1), patternBytes(SIZE));
    const cut: string[] = [];
    source.engine.onMisbehaviour((peerId) => cut.push(peerId));
    const { evil, blocks } = hostile(clock, source, 'child');

    say(evil, pattern(1, 'another-stream')); // a stream it does not pull from us
    say(evil, { type: 'stripe-segment', sub: 9, segment: seg(1), baseSeq: 0, blockBytes: 16_384 }); // no pattern
    say(evil, pattern(1));
    say(evil, { ...pattern(1), pattern: 'A?B' } as StripeMessage); // not a pattern string
    say(evil, { type: 'probe', nonce: 1, pad: '' });
    say(evil, { type: 'probe', nonce: 2, pad: '' }); // a flood
    await clock.advance(50);
    expect(cut).toEqual([]);
    say(evil, {
      type: 'block-request',
      sub: 1,
      segment: seg(1),
      baseSeq: 0,
      blockBytes: 16_384,
      ranges: [[1000, 1001]],
    }); // no block of the segment
    say(evil, {
      type: 'stripe-segment',
      sub: 1,
      segment: { ...seg(1), streamId: 'x' },
      baseSeq: 0,
      blockBytes: 16_384,
    });
    await clock.advance(50);

    expect(cut).toEqual(['evil']);
    expect(blocks).toEqual([]);
    expect(evil.closed).toBe(true);
  });

  it('a well-behaved receiver gets exactly its letter\u2019s blocks, and none after stripe-cancel', async () => {
    const clock = new ManualClock();
    const source = makeNode(clock, 'source');
    source.store.put(seg(1), patternBytes(SIZE));
    source.store.put(seg(2), patternBytes(SIZE, 2));
    const { evil, heard, blocks } = hostile(clock, source, 'child');
    say(evil, { ...pattern(3), pattern: 'AB', letter: 'B' });
    say(evil, { type: 'stripe-segment', sub: 3, segment: seg(1), baseSeq: 10, blockBytes: 16_384 });
    await clock.advance(100);

    expect(heard).toContainEqual({ type: 'stripe-have', sub: 3, baseSeq: 10, size: SIZE });
    // 100 000 bytes = 7 blocks (10…16); letter B owns the odd sequence numbers.
    const seqs = blocks.map((b) => new DataView(b.buffer, b.byteOffset).getUint32(5));
    expect(seqs).toEqual([11, 13, 15]);

    say(evil, { type: 'stripe-cancel', sub: 3, baseSeq: 20 });
    say(evil, { type: 'stripe-close', sub: 3 });
    say(evil, { type: 'stripe-segment', sub: 3, segment: seg(2), baseSeq: 20, blockBytes: 16_384 });
    await clock.advance(100);
    expect(blocks.length).toBe(3); // the subscription is gone: that request is refused
  });

  it('a hostile source: blocks before stripe-have, of other subscriptions or the wrong size change nothing', async () => {
    const clock = new ManualClock();
    const child = makeNode(clock, 'child', { badFrameThreshold: 100 });
    const honest = makeNode(clock, 'honest');
    honest.store.put(seg(1), patternBytes(SIZE, 5));
    connect(clock, honest, child, STREAM);
    const { evil, heard } = hostile(clock, child, 'parent');
    // The hostile parent answers probes, so it is one of the sources, then sends garbage.
    evil.onMessage((data) => {
      if (typeof data !== 'string') return;
      const parsed = parsePeerWireMessage(data);
      if (!parsed.ok) return;
      const msg = parsed.value;
      if (msg.type === 'probe') say(evil, { type: 'probe-reply', nonce: msg.nonce, pad: msg.pad });
      if (msg.type === 'stripe-segment') {
        const sub = msg.sub;
        evil.send(encodeBlockFrame({ sub, seq: msg.baseSeq, payload: new Uint8Array(16_384) })); // before have
        say(evil, { type: 'stripe-have', sub: sub + 1000, baseSeq: msg.baseSeq, size: SIZE }); // not its sub
        say(evil, { type: 'stripe-have', sub, baseSeq: msg.baseSeq, size: SIZE });
        evil.send(encodeBlockFrame({ sub, seq: msg.baseSeq, payload: new Uint8Array(10) })); // wrong size
        evil.send(encodeBlockFrame({ sub, seq: msg.baseSeq + 99_999, payload: new Uint8Array(10) })); // nowhere
        // …and then never sends its blocks.
      }
    });

    const result = child.engine.fetchFromPeers(seg(1), { timeoutMs: 30_000 });
    for (let t = 0; t < 6000; t += 50) await clock.advance(50);
    const loaded = await result;

    expect(heard.some((m) => m.type === 'stripe-segment')).toBe(true);
    expect(sameBytes(loaded?.data, patternBytes(SIZE, 5))).toBe(true);
    expect(sameBytes(child.store.get(seg(1)), patternBytes(SIZE, 5))).toBe(true);
  });
});
