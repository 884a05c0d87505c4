import { takeDtlsClientRole, type PeerFactory, type SimplePeerLike } from '@p2pcdn/core';
import createDebug from 'debug';
import { PeerConnection } from 'node-datachannel';
import * as polyfill from 'node-datachannel/polyfill';
import SimplePeer from 'simple-peer';
import { NegotiatingPeerConnection } from './webrtc/negotiating-peer-connection.ts';

const log = createDebug('p2pcdn:worker:webrtc');

/**
 * Largest DataChannel message we announce and send. libdatachannel defaults to 256 KiB locally and
 * assumes 64 KiB for a remote that does not announce `a=max-message-size`; browsers announce
 * 256 KiB. The engine's data frames are 64 KiB + a 9-byte header, so this leaves ample room
 * between two workers and between a worker and a browser.
 */
export const MAX_MESSAGE_BYTES = 256 * 1024;

/** The `wrtc` implementation simple-peer runs on in Node. */
export const nodeWrtc = {
  RTCPeerConnection: NegotiatingPeerConnection,
  RTCSessionDescription: polyfill.RTCSessionDescription,
  RTCIceCandidate: polyfill.RTCIceCandidate,
};

export interface NodePeerFactoryOptions {
  /** Local address ICE binds to (`127.0.0.1` in tests); all interfaces when undefined. */
  bindAddress?: string | undefined;
}

/**
 * A {@link PeerFactory} for Node: simple-peer over node-datachannel, one reliable ordered
 * DataChannel per connection, trickle ICE, text frames kept as strings (`objectMode`). The
 * initiator's offer says `a=setup:active` instead of `actpass`, so it is the DTLS client: the
 * answering side is ready for its hello by the time it is sent (any standard answerer, browsers
 * included, then answers `passive`).
 */
export function nodePeerFactory(options: NodePeerFactoryOptions = {}): PeerFactory {
  return ({ initiator, iceServers }) => {
    const config = {
      iceServers: iceServers.map((server) => ({ ...server })),
      maxMessageSize: MAX_MESSAGE_BYTES,
      ...(options.bindAddress === undefined ? {} : { bindAddress: options.bindAddress }),
    };
    log('new %s peer (bind %s)', initiator ? 'initiator' : 'answering', options.bindAddress ?? 'any');
    const peer = new SimplePeer({
      initiator,
      trickle: true,
      objectMode: true,
      wrtc: nodeWrtc as unknown as SimplePeer.Options['wrtc'],
      config: config as SimplePeer.Options['config'],
      channelConfig: { ordered: true },
      ...(initiator ? { sdpTransform: takeDtlsClientRole } : {}),
    });
    return peer as unknown as SimplePeerLike;
  };
}

/** Longest {@link warmUpWebRtc} waits for the throw-away connection's description, ms. */
const WARM_UP_TIMEOUT_MS = 2000;

/**
 * Makes libdatachannel do its once-per-process setup before the first child's offer arrives:
 * its threads, and the DTLS certificate it generates on the first connection and shares with
 * every later one. Measured on loopback: a relay answered its first viewer's offer in ~40 ms and
 * every later one in ~2 ms; the first viewer of every relay paid that on its start. A throw-away
 * connection with a DataChannel sets a local description (which needs the certificate's
 * fingerprint) and is closed again. Best effort: a failure here is left for real connections to
 * report.
 */
export async function warmUpWebRtc(options: NodePeerFactoryOptions = {}): Promise<void> {
  let connection: PeerConnection | undefined;
  try {
    connection = new PeerConnection('p2pcdn-warm-up', {
      iceServers: [],
      disableAutoNegotiation: true,
      ...(options.bindAddress === undefined ? {} : { bindAddress: options.bindAddress }),
    });
    const described = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, WARM_UP_TIMEOUT_MS);
      connection?.onLocalDescription(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    connection.createDataChannel('warm-up');
    connection.setLocalDescription();
    await described;
  } catch (error) {
    log('WebRTC warm-up failed: %O', error);
  } finally {
    connection?.close();
  }
}
