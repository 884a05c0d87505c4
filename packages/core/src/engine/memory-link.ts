import type { NodeId } from '../protocol/index.ts';
import type { Clock, PeerLink } from './types.ts';

/** How an in-memory link behaves; every field is optional. */
export interface MemoryLinkOptions {
  /**
   * Clock that delivers frames (and simulates latency and bandwidth). Without one, frames are
   * delivered in order on the microtask queue.
   */
  clock?: Clock;
  /** One-way delay added to every frame, in ms (needs `clock`). */
  latencyMs?: number;
  /**
   * Bandwidth of each direction in bytes per second (needs `clock`). Frames queue behind each
   * other and count in `bufferedAmount()` until their last byte is on the wire.
   */
  bytesPerSecond?: number;
}

/** One end of an in-memory link, with extras for tests and the simulator. */
export interface MemoryLink extends PeerLink {
  /** Whether this end has closed (locally, or its close event arrived from the other end). */
  readonly closed: boolean;
  /** Frames handed to `send` on this end so far. */
  readonly sentFrames: number;
  /**
   * Breaks the link as a network failure would: frames in flight in either direction are lost
   * and both ends get their close event on the next turn.
   */
  sever(reason?: string): void;
}

type Frame = string | Uint8Array;

interface Side {
  peerId: NodeId;
  closed: boolean;
  closeReason: string | undefined;
  /** Closing was requested; `closed` turns true when the close event is delivered. */
  closing: boolean;
  buffered: number;
  /** When the last queued frame finishes serialising onto the simulated wire. */
  wireFreeAt: number;
  sentFrames: number;
  messageListeners: ((data: Frame) => void)[];
  closeListeners: ((reason?: string) => void)[];
  /** `bufferedamountlow` listeners and their thresholds. */
  drainListeners: { threshold: number; listener: () => void }[];
  other: Side | undefined;
}

/**
 * Creates a connected pair of in-memory {@link PeerLink}s between nodes `aId` and `bId`. The
 * first end is held by `a` (its `peerId` is `bId`), the second by `b`. Frames are copied on send,
 * delivered asynchronously and in order, and `close()` on either end closes both, after frames
 * already sent have been delivered.
 */
export function createMemoryLinkPair(
  aId: NodeId,
  bId: NodeId,
  options: MemoryLinkOptions = {},
): [MemoryLink, MemoryLink] {
  const a = newSide(bId);
  const b = newSide(aId);
  a.other = b;
  b.other = a;
  return [makeEnd(a, options), makeEnd(b, options)];
}

function newSide(peerId: NodeId): Side {
  return {
    peerId,
    closed: false,
    closeReason: undefined,
    closing: false,
    buffered: 0,
    wireFreeAt: 0,
    sentFrames: 0,
    messageListeners: [],
    closeListeners: [],
    drainListeners: [],
    other: undefined,
  };
}

function makeEnd(side: Side, options: MemoryLinkOptions): MemoryLink {
  const { clock } = options;
  const latency = Math.max(0, options.latencyMs ?? 0);
  const rate = options.bytesPerSecond;

  /** Runs `fn` after `ms`, in order with everything else scheduled on this link. */
  const later = (ms: number, fn: () => void): void => {
    if (clock) clock.setTimeout(fn, ms);
    else void Promise.resolve().then(fn);
  };

  const fireClose = (target: Side, reason: string): void => {
    if (target.closed) return;
    target.closed = true;
    target.closeReason = reason;
    target.buffered = 0;
    const listeners = target.closeListeners.splice(0);
    for (const listener of listeners) listener(reason);
  };

  return {
    peerId: side.peerId,
    get closed() {
      return side.closed || side.closing;
    },
    get sentFrames() {
      return side.sentFrames;
    },
    send(data) {
      if (side.closed || side.closing) throw new Error(`memory link to ${side.peerId} is closed`);
      const frame: Frame = typeof data === 'string' ? data : data.slice();
      const size = typeof frame === 'string' ? frame.length : frame.byteLength;
      side.sentFrames++;
      const target = side.other;
      if (!target) return;
      let wireDelay = 0;
      if (clock && rate !== undefined && rate > 0) {
        const now = clock.now();
        side.wireFreeAt = Math.max(now, side.wireFreeAt) + (size * 1000) / rate;
        wireDelay = side.wireFreeAt - now;
      }
      side.buffered += size;
      later(wireDelay, () => {
        const before = side.buffered;
        side.buffered = Math.max(0, side.buffered - size);
        // Like a DataChannel: fires when the buffer falls to the threshold or below.
        for (const { threshold, listener } of [...side.drainListeners]) {
          if (before > threshold && side.buffered <= threshold && !side.closed) listener();
        }
        later(latency, () => {
          if (target.closed || target.closing) return;
          for (const listener of [...target.messageListeners]) listener(frame);
        });
      });
    },
    bufferedAmount() {
      return side.buffered;
    },
    onBufferedAmountLow(lowWaterMarkBytes, listener) {
      side.drainListeners.push({ threshold: lowWaterMarkBytes, listener });
    },
    close() {
      if (side.closed || side.closing) return;
      side.closing = true;
      const reason = 'closed locally';
      const target = side.other;
      // Frames already sent still arrive: the close follows them through the same queue.
      const drain = clock && rate !== undefined && rate > 0 ? Math.max(0, side.wireFreeAt - clock.now()) : 0;
      later(0, () => fireClose(side, reason));
      // Two stages, like a frame, so it is delivered after the frames queued before it.
      if (target) later(drain, () => later(latency, () => fireClose(target, 'closed by peer')));
    },
    sever(reason = 'link failed') {
      const target = side.other;
      for (const s of target ? [side, target] : [side]) {
        if (s.closed || s.closing) continue;
        s.closing = true;
        later(0, () => fireClose(s, reason));
      }
    },
    onMessage(listener) {
      side.messageListeners.push(listener);
    },
    onClose(listener) {
      if (side.closed) {
        listener(side.closeReason);
        return;
      }
      side.closeListeners.push(listener);
    },
  };
}
