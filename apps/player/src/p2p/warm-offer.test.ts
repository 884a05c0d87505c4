import type { IceServer } from '@p2pcdn/core';
import { describe, expect, it } from 'vitest';
import { WarmOffer, type WarmablePeer } from './warm-offer.ts';

type Listener = (...args: never[]) => void;

/** A simple-peer instance that emits what the test tells it to. */
class FakePeer implements WarmablePeer {
  destroyed = false;
  readonly signalled: unknown[] = [];
  private readonly listeners = new Map<string, Listener[]>();
  constructor(readonly iceServers: readonly IceServer[]) {}
  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  emit(event: string, arg?: unknown): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as (arg?: unknown) => void)(arg);
  }
  signal(data: unknown): void {
    this.signalled.push(data);
  }
  send(): void {}
  destroy(): void {
    this.destroyed = true;
  }
  get bufferSize(): number {
    return 7;
  }
}

function setup(maxAgeMs?: number) {
  const made: FakePeer[] = [];
  const later: (() => void)[] = [];
  let now = 0;
  const warm = new WarmOffer({
    create: (iceServers) => {
      const peer = new FakePeer(iceServers);
      made.push(peer);
      return peer;
    },
    now: () => now,
    later: (run) => later.push(run),
    ...(maxAgeMs === undefined ? {} : { maxAgeMs }),
  });
  return { warm, made, later, advance: (ms: number) => (now += ms) };
}

const OFFER = { type: 'offer', sdp: 'v=0…' };
const CANDIDATE = { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp …' } };
const STUN: IceServer[] = [{ urls: 'stun:stun.example.org' }];

describe('WarmOffer', () => {
  it('hands out the prepared peer with what it signalled before, then what it signals after, in order', async () => {
    const { warm, made } = setup();
    warm.prepare([]);
    made[0]!.emit('signal', OFFER);
    const peer = warm.take([]);
    expect(peer).toBeDefined();
    const got: unknown[] = [];
    peer!.on('signal', (data) => got.push(data));
    made[0]!.emit('signal', CANDIDATE); // before the replay's microtask
    expect(got).toEqual([]);
    await Promise.resolve();
    expect(got).toEqual([OFFER, CANDIDATE]);
    made[0]!.emit('signal', { ...CANDIDATE, late: true });
    expect(got).toHaveLength(3);
    // Everything else is the peer's own.
    peer!.signal({ type: 'answer', sdp: 'v=0…' });
    expect(made[0]!.signalled).toHaveLength(1);
    expect(peer!.bufferSize).toBe(7);
  });

  it('makes the next spare later, not while the first connection is being set up', () => {
    const { warm, made, later } = setup();
    warm.prepare([]);
    warm.take([]);
    expect(made).toHaveLength(1);
    later.splice(0).forEach((run) => run());
    expect(made).toHaveLength(2);
    expect(warm.take([])).toBeDefined();
  });

  it('never hands out a spare made for other ICE servers, a failed one or an old one', () => {
    const { warm, made, advance } = setup(1000);
    warm.prepare([]);
    expect(warm.take(STUN)).toBeUndefined();
    expect(made[0]!.destroyed).toBe(true);

    warm.prepare([]);
    made[1]!.emit('error', new Error('ICE failed'));
    expect(warm.take([])).toBeUndefined();

    warm.prepare([]);
    advance(1001);
    expect(warm.take([])).toBeUndefined();
    expect(made[2]!.destroyed).toBe(true);
  });

  it('replaces a spare when the ICE servers change, and destroys it on dispose', () => {
    const { warm, made } = setup();
    warm.prepare([]);
    warm.prepare([]);
    expect(made).toHaveLength(1);
    warm.prepare(STUN);
    expect(made).toHaveLength(2);
    expect(made[0]!.destroyed).toBe(true);
    warm.dispose();
    expect(made[1]!.destroyed).toBe(true);
    warm.prepare([]);
    expect(made).toHaveLength(2);
    expect(warm.take([])).toBeUndefined();
  });
});
