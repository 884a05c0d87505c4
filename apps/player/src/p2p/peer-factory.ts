import type { PeerFactory } from '@p2pcdn/core';
import SimplePeer from 'simple-peer/simplepeer.min.js';

/** Whether this browser can open WebRTC DataChannels at all. */
export const webrtcSupported: boolean = SimplePeer.WEBRTC_SUPPORT;

/**
 * Creates simple-peer connections on the browser's own WebRTC, with the coordinator's ICE
 * servers passed through unchanged (empty on loopback and LAN deployments) and, once there is
 * one, the page's shared DTLS certificate (see `WebRtcWarmUp`).
 */
export function browserPeerFactory(certificates: () => RTCCertificate[] | undefined): PeerFactory {
  return ({ initiator, iceServers }) => {
    const shared = certificates();
    return new SimplePeer({
      initiator,
      trickle: true,
      config: {
        iceServers: iceServers.map((server) => ({ ...server })),
        ...(shared ? { certificates: shared } : {}),
      },
    });
  };
}
