import { describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/manual-clock.ts';
import { createMemoryLinkPair } from './memory-link.ts';

type Frame = string | Uint8Array;

describe('createMemoryLinkPair', () => {
  it('names each end after the node at the other end', () => {
    const [a, b] = createMemoryLinkPair('alice', 'bob');
    expect(a.peerId).toBe('bob');
    expect(b.peerId).toBe('alice');
  });

  it('delivers frames in order, asynchronously, on microtasks without a clock', async () => {
    const [a, b] = createMemoryLinkPair('a', 'b');
    const got: Frame[] = [];
    b.onMessage((d) => got.push(d));
    a.send('one');
    a.send(new Uint8Array([2]));
    a.send('three');
    expect(got).toEqual([]);
    await new ManualClock().flush();
    expect(got).toEqual(['one', new Uint8Array([2]), 'three']);
  });

  it('copies binary frames so the sender may reuse its buffer', async () => {
    const [a, b] = createMemoryLinkPair('a', 'b');
    const got: Frame[] = [];
    b.onMessage((d) => got.push(d));
    const buffer = new Uint8Array([1, 2, 3]);
    a.send(buffer);
    buffer[0] = 9;
    await new ManualClock().flush();
    expect(got).toEqual([new Uint8Array([1, 2, 3])]);
  });

  it('adds latency on the clock', async () => {
    const clock = new ManualClock();
    const [a, b] = createMemoryLinkPair('a', 'b', { clock, latencyMs: 30 });
    const at: number[] = [];
    b.onMessage(() => at.push(clock.now()));
    a.send('x');
    await clock.advance(29);
    expect(at).toEqual([]);
    await clock.advance(1);
    expect(at).toEqual([30]);
  });

  it('serialises frames at the configured bandwidth and reports them as buffered', async () => {
    const clock = new ManualClock();
    const [a, b] = createMemoryLinkPair('a', 'b', { clock, bytesPerSecond: 1000 });
    const at: number[] = [];
    b.onMessage(() => at.push(clock.now()));
    a.send(new Uint8Array(500));
    a.send(new Uint8Array(500));
    expect(a.bufferedAmount()).toBe(1000);
    await clock.advance(500);
    expect(a.bufferedAmount()).toBe(500);
    await clock.advance(500);
    expect(a.bufferedAmount()).toBe(0);
    expect(at).toEqual([500, 1000]);
  });

  it('closes both ends once, after frames already sent', async () => {
    const clock = new ManualClock();
    const [a, b] = createMemoryLinkPair('a', 'b', { clock, latencyMs: 10 });
    const events: string[] = [];
    b.onMessage((d) => events.push(`msg ${String(d)}`));
    a.onClose((r) => events.push(`a closed: ${r}`));
    b.onClose((r) => events.push(`b closed: ${r}`));
    a.send('last');
    a.close();
    a.close();
    await clock.advance(100);
    expect(events).toEqual(['a closed: closed locally', 'msg last', 'b closed: closed by peer']);
    expect(a.closed && b.closed).toBe(true);
  });

  it('throws when sending on a closed end and tells late close listeners at once', async () => {
    const [a, b] = createMemoryLinkPair('a', 'b');
    a.close();
    expect(() => a.send('x')).toThrow(/closed/);
    await new ManualClock().flush();
    let reason: string | undefined;
    b.onClose((r) => (reason = r));
    expect(reason).toBe('closed by peer');
  });

  it('drops frames that arrive after the receiving end closed', async () => {
    const clock = new ManualClock();
    const [a, b] = createMemoryLinkPair('a', 'b', { clock, latencyMs: 10 });
    const got: Frame[] = [];
    b.onMessage((d) => got.push(d));
    a.send('in flight');
    b.close();
    await clock.advance(50);
    expect(got).toEqual([]);
  });

  it('loses frames in flight when severed', async () => {
    const clock = new ManualClock();
    const [a, b] = createMemoryLinkPair('a', 'b', { clock, latencyMs: 10 });
    const got: Frame[] = [];
    const reasons: (string | undefined)[] = [];
    b.onMessage((d) => got.push(d));
    a.onClose((r) => reasons.push(r));
    b.onClose((r) => reasons.push(r));
    a.send('lost');
    b.sever('cable cut');
    await clock.advance(50);
    expect(got).toEqual([]);
    expect(reasons).toEqual(['cable cut', 'cable cut']);
  });
});
