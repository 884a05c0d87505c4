import type { Logger, PeerLink } from '../engine/types.ts';
import type { NodeId, PeerSignal, Welcome } from '../protocol/index.ts';
import { decodeUtf8 } from './utf8.ts';

/**
 * The part of a simple-peer `Instance` the agent uses. Browser tabs pass `new SimplePeer(…)`;
 * workers pass the same on node-datachannel's polyfill. Listeners receive untrusted data.
 */
export interface SimplePeerLike {
  on(event: 'signal', listener: (data: unknown) => void): unknown;
  on(event: 'connect' | 'close', listener: () => void): unknown;
  on(event: 'data', listener: (data: unknown) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** Feeds a signal relayed from the other side. */
  signal(data: PeerSignal): void;
  /** Sends one DataChannel message: a string goes as a text frame, bytes as a binary frame. */
  send(data: string | Uint8Array): void;
  destroy(error?: Error): void;
  /** Bytes queued in the DataChannel. */
  readonly bufferSize: number;
  /**
   * simple-peer's DataChannel (a field of simple-peer 9.x, set by the time `connect` fires), used
   * only for its `bufferedamountlow` event, which simple-peer does not re-emit. Optional: without
   * it the engine polls `bufferSize`.
   */
  readonly _channel?: BufferedAmountLowSource | null;
}

/** The part of an `RTCDataChannel` that reports a drained send buffer. */
export interface BufferedAmountLowSource {
  bufferedAmountLowThreshold: number;
  addEventListener(type: 'bufferedamountlow', listener: () => void): void;
}

/** Creates simple-peer instances; the host decides the WebRTC stack and its options. */
export type PeerFactory = (options: PeerFactoryOptions) => SimplePeerLike;

export interface PeerFactoryOptions {
  /** The child side initiates (creates the offer and the DataChannel). */
  initiator: boolean;
  /** ICE servers from the coordinator's Welcome; pass them through unchanged. */
  iceServers: readonly IceServer[];
}

/** One ICE server, shaped like the DOM's `RTCIceServer` so it can be passed straight through. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** The Welcome's ICE servers without absent optional fields (`exactOptionalPropertyTypes`-safe). */
export function toIceServers(servers: Welcome['iceServers']): IceServer[] {
  return servers.map(({ urls, username, credential }) => ({
    urls: Array.isArray(urls) ? [...urls] : urls,
    ...(username === undefined ? {} : { username }),
    ...(credential === undefined ? {} : { credential }),
  }));
}

export interface SimplePeerLinkOptions {
  /** UTF-8 decoder for text frames that arrive as bytes (e.g. `TextDecoder`); a pure one by default. */
  decodeText?: (bytes: Uint8Array) => string;
  log?: Logger;
}

/** First byte of every JSON control frame (`{`). Binary frame kinds must never use this value. */
const TEXT_FRAME_FIRST_BYTE = 0x7b;
/** Messages kept while the engine has not yet subscribed (it does so right after `addLink`). */
const MAX_EARLY_MESSAGES = 256;

/**
 * Wraps a *connected* simple-peer instance as a {@link PeerLink}.
 *
 * Framing: control messages are JSON objects sent as DataChannel text frames; segment data goes in
 * binary frames whose first byte is a frame kind (`DATA_FRAME_KIND` = 1). simple-peer hands text
 * frames to `data` listeners as strings only in `objectMode`; otherwise it converts them to bytes.
 * So the adapter accepts strings as text, and treats bytes starting with `{` (0x7B, which no
 * binary frame kind uses) as UTF-8 text and everything else as binary. That keeps one channel
 * and works whatever mode the host created the peer in.
 */
export function simplePeerLink(
  peer: SimplePeerLike,
  peerId: NodeId,
  options: SimplePeerLinkOptions = {},
): PeerLink {
  const { decodeText = decodeUtf8, log = () => {} } = options;
  const messageListeners: ((data: string | Uint8Array) => void)[] = [];
  const closeListeners: ((reason?: string) => void)[] = [];
  const early: (string | Uint8Array)[] = [];
  let closed = false;
  let closeReason: string | undefined;

  const fireClose = (reason?: string): void => {
    if (closed) return;
    closed = true;
    closeReason = reason;
    early.length = 0;
    for (const listener of closeListeners) listener(reason);
  };

  const deliver = (data: string | Uint8Array): void => {
    if (closed) return;
    if (messageListeners.length === 0) {
      if (early.length < MAX_EARLY_MESSAGES) early.push(data);
      return;
    }
    for (const listener of messageListeners) listener(data);
  };

  peer.on('data', (raw: unknown) => {
    if (typeof raw === 'string') return deliver(raw);
    if (raw instanceof Uint8Array) {
      return deliver(raw[0] === TEXT_FRAME_FIRST_BYTE ? decodeText(raw) : raw);
    }
    if (raw instanceof ArrayBuffer) {
      const bytes = new Uint8Array(raw);
      return deliver(bytes[0] === TEXT_FRAME_FIRST_BYTE ? decodeText(bytes) : bytes);
    }
    log('link %s: ignoring a message of unexpected type', peerId);
  });
  peer.on('error', (error: Error) => {
    log('link %s error: %s', peerId, error.message);
    fireClose(error.message);
  });
  peer.on('close', () => fireClose('closed by peer'));

  return {
    peerId,
    send(data) {
      if (closed) return;
      try {
        peer.send(data);
      } catch (error) {
        // The channel is closing under us: treat it as closed instead of throwing into the engine.
        const message = error instanceof Error ? error.message : String(error);
        log('link %s send failed: %s', peerId, message);
        peer.destroy();
        fireClose(`send failed: ${message}`);
      }
    },
    bufferedAmount() {
      return closed ? 0 : peer.bufferSize;
    },
    onBufferedAmountLow(lowWaterMarkBytes, listener) {
      const channel = peer._channel;
      if (!channel || typeof channel.addEventListener !== 'function') return;
      // simple-peer sets 64 KiB for its own stream writes, which this link does not use.
      channel.bufferedAmountLowThreshold = lowWaterMarkBytes;
      channel.addEventListener('bufferedamountlow', () => {
        if (closed) return;
        try {
          listener();
        } catch (error) {
          // Thrown from a DataChannel event it would surface as an uncaught exception.
          log('link %s: bufferedamountlow listener threw: %O', peerId, error);
        }
      });
    },
    close() {
      if (closed) return;
      peer.destroy();
      fireClose('closed locally');
    },
    onMessage(listener) {
      messageListeners.push(listener);
      if (messageListeners.length === 1 && early.length > 0) {
        const queued = early.splice(0);
        for (const data of queued) listener(data);
      }
    },
    onClose(listener) {
      if (closed) {
        listener(closeReason);
        return;
      }
      closeListeners.push(listener);
    },
  };
}
