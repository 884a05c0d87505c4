import { describe, expect, it } from 'vitest';
import {
  encodeDataFrame,
  encodePeerMessage,
  parsePeerMessage,
  type PeerMessage,
  type SegmentRef,
} from '../protocol/index.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { connect, makeNode, patternBytes, sameBytes, type TestNode } from '../testing/engine-harness.ts';
import { createCancelSource } from './cancel.ts';
import { createMemoryLinkPair, type MemoryLink } from './memory-link.ts';
import type { LinkRole } from './types.ts';

const STREAM = 'live';
const seg = (n: number): SegmentRef => ({ streamId: STREAM, url: `http://origin.test/${n}.ts` });

/** A raw link end driven by the test, attached to `victim` in `role` (the hostile peer's side). */
function hostile(
  clock: ManualClock,
  victim: TestNode,
  role: LinkRole,
): { evil: MemoryLink; heard: PeerMessage[]; binary: Uint8Array[] } {
  const [evil, atVictim] = createMemoryLinkPair('evil', victim.id, { clock, latencyMs: 1 });
  const heard: PeerMessage[] = [];
  const binary: Uint8Array[] = [];
  evil.onMessage((data) => {
    if (typeof data !== 'string') return void binary.push(data);
    const parsed = parsePeerMessage(data);
    if (parsed.ok) heard.push(parsed.value);
  });
  victim.engine.addLink(STREAM, atVictim, role);
  return { evil, heard, binary };
}

function misbehaviourLog(node: TestNode): [string, string][] {
  const seen: [string, string][] = [];
  node.engine.onMisbehaviour((peerId, reason) => seen.push([peerId, reason]));
  return seen;
}

const frame = (id: number, offset: number, payload: Uint8Array): Uint8Array =>
  encodeDataFrame({ id, offset, payload });

describe('PeerEngine against a hostile peer', () => {
  it('refuses malformed frames without throwing or changing state, then cuts the peer off', async () => {
    const clock = new ManualClock();
    const victim = makeNode(clock, 'victim', { badFrameThreshold: 10 });
    victim.store.put(seg(1), patternBytes(1000));
    const cut = misbehaviourLog(victim);
    const { evil, heard } = hostile(clock, victim, 'child');

    const garbage: (string | Uint8Array)[] = [
      'not json',
      '{"type":"nope"}',
      '{"type":"cancel"}',
      '{"type":"request","id":-1,"segment":{"streamId":"live","url":"http://o/1.ts"}}',
      '{"type":"request","id":1,"segment":{"streamId":"live","url":"file:///etc/passwd"}}',
      '{"type":"ping","nonce":1,"extra":true}',
      'x'.repeat(70_000),
      new Uint8Array([1, 0, 0]),
      new Uint8Array([7, 0, 0, 0, 1, 0, 0, 0, 0, 42]),
    ];
    for (const g of garbage) evil.send(g);
    await clock.advance(10);

    expect(cut).toEqual([]);
    expect(evil.closed).toBe(false);
    expect(victim.store.bytes).toBe(1000);
    expect(sameBytes(victim.store.get(seg(1)), patternBytes(1000))).toBe(true);
    expect(victim.engine.stats().uploadBytes).toBe(0);

    // Still under the threshold, a well-formed request is served normally.
    evil.send(encodePeerMessage({ type: 'request', id: 5, segment: seg(1) }));
    await clock.advance(10);
    expect(heard).toContainEqual({ type: 'data-start', id: 5, size: 1000 });

    // A data frame for a request the victim never made is the tenth strike.
    evil.send(frame(99, 0, new Uint8Array(10)));
    await clock.advance(10);
    expect(cut).toHaveLength(1);
    expect(cut[0]?.[0]).toBe('evil');
    expect(cut[0]?.[1]).toMatch(/10 protocol violations, last: data frame for unknown request 99/);
    expect(evil.closed).toBe(true);
    expect(victim.engine.stats().links).toEqual([]);
  });

  it('counts a hello that names someone else, and a second hello', async () => {
    const clock = new ManualClock();
    const victim = makeNode(clock, 'victim', { badFrameThreshold: 2 });
    const cut = misbehaviourLog(victim);
    const { evil } = hostile(clock, victim, 'parent');
    evil.send(encodePeerMessage({ type: 'hello', nodeId: 'someone-else' }));
    evil.send(encodePeerMessage({ type: 'hello', nodeId: 'evil' }));
    await clock.advance(10);
    expect(cut.map(([, reason]) => reason)).toEqual(['2 protocol violations, last: second hello']);
  });

  it('counts a request id reused while still in flight', async () => {
    const clock = new ManualClock();
    const victim = makeNode(clock, 'victim', { badFrameThreshold: 1, uploadBytesPerSecond: 1000 });
    victim.store.put(seg(1), patternBytes(100_000));
    const cut = misbehaviourLog(victim);
    const { evil } = hostile(clock, victim, 'child');
    evil.send(encodePeerMessage({ type: 'request', id: 1, segment: seg(1) }));
    evil.send(encodePeerMessage({ type: 'request', id: 1, segment: seg(1) }));
    await clock.advance(10);
    expect(cut[0]?.[1]).toMatch(/request id 1 already in use/);
  });

  it('counts a ping flood', async () => {
    const clock = new ManualClock();
    const victim = makeNode(clock, 'victim', { badFrameThreshold: 5 });
    const cut = misbehaviourLog(victim);
    const { evil, heard } = hostile(clock, victim, 'child');
    for (let i = 0; i < 6; i++) evil.send(encodePeerMessage({ type: 'ping', nonce: i }));
    await clock.advance(10);
    expect(heard.filter((m) => m.type === 'pong')).toHaveLength(1);
    expect(cut[0]?.[1]).toMatch(/ping flood/);
  });

  /** Each way a parent can garble a transfer; the victim must fall back to an honest parent. */
  const garbledTransfers: {
    name: string;
    answer: (id: number) => (string | Uint8Array)[];
    range?: boolean;
  }[] = [
    {
      name: 'more bytes than announced',
      answer: (id) => [
        encodePeerMessage({ type: 'data-start', id, size: 100 }),
        frame(id, 0, new Uint8Array(101)),
      ],
    },
    {
      name: 'a frame before data-start',
      answer: (id) => [frame(id, 0, new Uint8Array(10))],
    },
    {
      name: 'a gap between frames',
      answer: (id) => [
        encodePeerMessage({ type: 'data-start', id, size: 100 }),
        frame(id, 0, new Uint8Array(10)),
        frame(id, 20, new Uint8Array(10)),
      ],
    },
    {
      name: 'overlapping frames',
      answer: (id) => [
        encodePeerMessage({ type: 'data-start', id, size: 100 }),
        frame(id, 0, new Uint8Array(50)),
        frame(id, 40, new Uint8Array(60)),
      ],
    },
    {
      name: 'an offset near 2^32',
      answer: (id) => [
        encodePeerMessage({ type: 'data-start', id, size: 100 }),
        frame(id, 0xffff_fff0, new Uint8Array(32)),
      ],
    },
    {
      name: 'an empty frame',
      answer: (id) => [
        encodePeerMessage({ type: 'data-start', id, size: 100 }),
        frame(id, 0, new Uint8Array(0)),
      ],
    },
    {
      name: 'a second data-start',
      answer: (id) => [
        encodePeerMessage({ type: 'data-start', id, size: 100 }),
        encodePeerMessage({ type: 'data-start', id, size: 10 }),
      ],
    },
    {
      name: 'a size that contradicts the byte range',
      range: true,
      answer: (id) => [encodePeerMessage({ type: 'data-start', id, size: 5 })],
    },
    {
      name: 'a size above the protocol maximum',
      answer: (id) => [`{"type":"data-start","id":${id},"size":${64 * 1024 * 1024}}`],
    },
  ];

  for (const garbled of garbledTransfers) {
    it(`falls back to an honest parent after ${garbled.name}`, async () => {
      const clock = new ManualClock();
      const victim = makeNode(clock, 'victim', {
        stallTimeoutMs: 1000,
        firstByteTimeoutMs: 1000,
        badFrameThreshold: 1,
      });
      const cut = misbehaviourLog(victim);
      const { evil } = hostile(clock, victim, 'parent');
      const honest = makeNode(clock, 'honest');
      connect(clock, honest, victim, STREAM);
      const segment: SegmentRef = garbled.range ? { ...seg(1), range: { start: 0, end: 100 } } : seg(1);
      const good = patternBytes(100, 3);
      honest.store.put(segment, good);
      evil.onMessage((data) => {
        if (typeof data !== 'string') return;
        const msg = parsePeerMessage(data);
        if (msg.ok && msg.value.type === 'request')
          for (const f of garbled.answer(msg.value.id)) evil.send(f);
      });

      expect(victim.engine.parents(STREAM)[0]).toBe('evil');
      const result = victim.engine.fetchFromPeers(segment, { timeoutMs: 10_000 });
      await clock.advance(2000);
      const loaded = await result;
      expect(loaded?.peerId).toBe('honest');
      expect(sameBytes(loaded?.data, good)).toBe(true);
      expect(sameBytes(victim.store.get(segment), good)).toBe(true);
      expect(victim.engine.stats().p2pBytes).toBe(100);
      expect(cut.map(([peer]) => peer)).toEqual(['evil']);
    });
  }

  it('waits longer for the first byte than between frames', async () => {
    const clock = new ManualClock();
    const victim = makeNode(clock, 'victim', { firstByteTimeoutMs: 5000, stallTimeoutMs: 500 });
    const { evil, heard } = hostile(clock, victim, 'parent');
    const result = victim.engine.fetchFromPeers(seg(1), { timeoutMs: 60_000 });
    await clock.advance(4900);
    expect(heard.some((m) => m.type === 'cancel')).toBe(false);
    const request = heard.find((m) => m.type === 'request');
    const id = request?.type === 'request' ? request.id : -1;
    evil.send(encodePeerMessage({ type: 'data-start', id, size: 1000 }));
    evil.send(frame(id, 0, new Uint8Array(100)));
    await clock.advance(400);
    expect(heard.some((m) => m.type === 'cancel')).toBe(false);
    await clock.advance(200);
    expect(heard).toContainEqual({ type: 'cancel', id });
    await expect(result).resolves.toBeNull();
  });

  it('tolerates frames still in flight after it cancelled a request', async () => {
    const clock = new ManualClock();
    const victim = makeNode(clock, 'victim', { badFrameThreshold: 1 });
    const cut = misbehaviourLog(victim);
    const { evil, heard } = hostile(clock, victim, 'parent');
    const cancel = createCancelSource();
    const result = victim.engine.fetchFromPeers(seg(1), { timeoutMs: 10_000, cancel: cancel.token });
    await clock.advance(10);
    const request = heard.find((m) => m.type === 'request');
    expect(request?.type).toBe('request');
    const id = request?.type === 'request' ? request.id : -1;
    evil.send(encodePeerMessage({ type: 'data-start', id, size: 1000 }));
    evil.send(frame(id, 0, new Uint8Array(100)));
    await clock.advance(10);
    cancel.cancel();
    await result.catch(() => undefined);
    evil.send(frame(id, 100, new Uint8Array(100)));
    evil.send(encodePeerMessage({ type: 'miss', id, reason: 'cancelled' }));
    await clock.advance(10);
    expect(heard).toContainEqual({ type: 'cancel', id });
    expect(cut).toEqual([]);
    expect(victim.store.size).toBe(0);
  });

  it('cuts off a parent whose data fails verification and uses the next one', async () => {
    const clock = new ManualClock();
    const good = patternBytes(100_000, 1);
    const victim = makeNode(clock, 'victim', { verifySegment: (_s, data) => sameBytes(data, good) });
    const cut = misbehaviourLog(victim);
    const details: unknown[] = [];
    victim.engine.onMisbehaviour((_peer, _reason, detail) => details.push(detail));
    const liar = makeNode(clock, 'liar');
    const honest = makeNode(clock, 'honest');
    connect(clock, liar, victim, STREAM);
    connect(clock, honest, victim, STREAM);
    liar.store.put(seg(1), patternBytes(100_000, 666));
    honest.store.put(seg(1), good);

    const result = victim.engine.fetchFromPeers(seg(1), { timeoutMs: 10_000 });
    await clock.advance(100);
    expect((await result)?.peerId).toBe('honest');
    expect(cut.map(([peer]) => peer)).toEqual(['liar']);
    expect(victim.engine.parents(STREAM)).toEqual(['honest']);
    expect(details).toEqual([{ kind: 'bad-data', segment: seg(1) }]);
  });

  it('drops data no manifest vouches for yet without blaming its sender', async () => {
    const clock = new ManualClock();
    const good = patternBytes(50_000, 1);
    const victim = makeNode(clock, 'victim', {
      verifySegment: (segment) => (segment.url.endsWith('/1.ts') ? 'unknown' : true),
    });
    const cut = misbehaviourLog(victim);
    const parent = makeNode(clock, 'parent');
    connect(clock, parent, victim, STREAM);
    parent.store.put(seg(1), good);
    parent.store.put(seg(2), good);

    const unknown = victim.engine.fetchFromPeers(seg(1), { timeoutMs: 10_000 });
    await clock.advance(100);
    expect(await unknown).toBeNull();
    expect(cut).toEqual([]);
    expect(victim.store.size).toBe(0);
    const known = victim.engine.fetchFromPeers(seg(2), { timeoutMs: 10_000 });
    await clock.advance(100);
    expect((await known)?.peerId).toBe('parent');
  });

  it('survives a listener that throws', async () => {
    const clock = new ManualClock();
    const parent = makeNode(clock, 'parent');
    const child = makeNode(clock, 'child');
    connect(clock, parent, child, STREAM);
    parent.store.put(seg(1), patternBytes(10));
    child.engine.onSegment(() => {
      throw new Error('host bug');
    });
    const result = child.engine.fetchFromPeers(seg(1), { timeoutMs: 5000 });
    await clock.advance(50);
    expect((await result)?.source).toBe('p2p');
  });
});
