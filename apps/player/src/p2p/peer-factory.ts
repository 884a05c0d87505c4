import type { IceServer, PeerFactory } from '@p2pcdn/core';
import SimplePeer from 'simple-peer/simplepeer.min.js';
import type { WarmablePeer, WarmOffer } from './warm-offer.ts';

/** Whether this browser can open WebRTC DataChannels at all. */
export const webrtcSupported: boolean = SimplePeer.WEBRTC_SUPPORT;

/**
 * A simple-peer connection on the browser's own WebRTC, with the coordinator's ICE servers
 * passed through unchanged (empty on loopback and LAN deployments) and, once there is one, the
 * page's shared DTLS certificate (see `WebRtcWarmUp`).
 */
export function createBrowserPeer(
  initiator: boolean,
  iceServers: readonly IceServer[],
  certificates: RTCCertificate[] | undefined,
): WarmablePeer {
  return new SimplePeer({
    initiator,
    trickle: true,
    config: {
      iceServers: iceServers.map((server) => ({ ...server })),
      ...(certificates ? { certificates } : {}),
    },
  });
}

/**
 * The agent's peer factory: offering connections come from `warm` when it has one ready for the
 * same ICE servers (see {@link WarmOffer}), everything else is made on the spot.
 */
export function browserPeerFactory(
  certificates: () => RTCCertificate[] | undefined,
  warm?: WarmOffer,
): PeerFactory {
  return ({ initiator, iceServers }) =>
    (initiator ? warm?.take(iceServers) : undefined) ??
    createBrowserPeer(initiator, iceServers, certificates());
}
