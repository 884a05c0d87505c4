import {
  BLOCK_FRAME_HEADER_BYTES,
  BLOCK_FRAME_KIND,
  DATA_FRAME_HEADER_BYTES,
  DATA_FRAME_KIND,
} from '@p2pcdn/core';
import type { PeerFactory, SimplePeerLike } from '@p2pcdn/core';

/** What a poisoning relay did so far. */
export interface PoisonStats {
  /** Binary data frames (request data or striped blocks) sent. */
  blocksSent: number;
  /** Of those, how many had a byte flipped. */
  blocksCorrupted: number;
}

/** A poisoner: corrupts `fraction` of the data frames it is handed. */
export class Poisoner {
  readonly stats: PoisonStats = { blocksSent: 0, blocksCorrupted: 0 };

  constructor(
    /** Fraction of blocks to corrupt, 0…1. */
    readonly fraction: number,
    private readonly random: () => number = Math.random,
  ) {
    if (!(fraction >= 0 && fraction <= 1))
      throw new RangeError(`poison fraction must be 0…1, got ${fraction}`);
  }

  /**
   * The frame to send instead of `frame`: a copy with one payload byte flipped for the chosen
   * fraction of data and block frames; control messages and other frames pass untouched.
   */
  taint(frame: Uint8Array): Uint8Array {
    const header =
      frame[0] === DATA_FRAME_KIND
        ? DATA_FRAME_HEADER_BYTES
        : frame[0] === BLOCK_FRAME_KIND
          ? BLOCK_FRAME_HEADER_BYTES
          : 0;
    if (header === 0 || frame.byteLength <= header) return frame;
    this.stats.blocksSent += 1;
    if (this.random() >= this.fraction) return frame;
    this.stats.blocksCorrupted += 1;
    const bad = frame.slice();
    const at = header + Math.floor(this.random() * (bad.byteLength - header));
    bad[at] = (bad[at] ?? 0) ^ 0xff;
    return bad;
  }
}

/**
 * TEST MODE: wraps a peer factory so every peer it makes sends data through `poisoner`. Used by
 * `p2pcdn-relay --poison` to check, end to end, that receivers reject bad blocks and report the
 * relay.
 */
export function poisonedPeerFactory(inner: PeerFactory, poisoner: Poisoner): PeerFactory {
  return (options) => {
    const peer = inner(options);
    const wrapped: SimplePeerLike = {
      on: ((event: string, listener: (...args: never[]) => void) =>
        (peer.on as (e: string, l: (...args: never[]) => void) => unknown)(
          event,
          listener,
        )) as SimplePeerLike['on'],
      signal: (data) => peer.signal(data),
      send: (data) => peer.send(typeof data === 'string' ? data : poisoner.taint(data)),
      destroy: (error) => peer.destroy(error),
      get bufferSize() {
        return peer.bufferSize;
      },
      get _channel() {
        return peer._channel ?? null;
      },
    };
    return wrapped;
  };
}
