import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { sendBody, type BodySink } from './send-body.ts';

/** A response whose socket accepts `accepted` chunks, then fails the rest (a client went away). */
class FakeResponse extends EventEmitter implements BodySink {
  destroyed = false;
  ended = false;
  private callbacks: Array<(error?: Error | null) => void> = [];

  constructor(private readonly highWater: number) {
    super();
  }

  write(_chunk: Uint8Array, callback: (error?: Error | null) => void): boolean {
    this.callbacks.push(callback);
    return this.callbacks.length < this.highWater;
  }

  end(): void {
    this.ended = true;
  }

  flush(accepted: number): void {
    const callbacks = this.callbacks;
    this.callbacks = [];
    callbacks.forEach((callback, i) => callback(i < accepted ? null : new Error('socket closed')));
  }
}

describe('send-body', () => {
  it('charges every chunk once the socket took it, and ends the response', () => {
    const res = new FakeResponse(Infinity);
    let charged = 0;
    sendBody(res, new Uint8Array(200_000), (n) => (charged += n));
    expect(res.ended).toBe(true);
    expect(charged).toBe(0);
    res.flush(Infinity);
    expect(charged).toBe(200_000);
  });

  it('waits for drain under backpressure and charges only what was written before an abort', () => {
    const res = new FakeResponse(1);
    let charged = 0;
    sendBody(res, new Uint8Array(200_000), (n) => (charged += n));
    res.flush(1);
    expect(charged).toBe(65_536);
    res.emit('drain');
    res.destroyed = true;
    res.flush(0);
    res.emit('close');
    res.emit('drain');
    expect(charged).toBe(65_536);
    expect(res.ended).toBe(false);
  });
});
