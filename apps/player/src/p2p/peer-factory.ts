import type { PeerFactory } from '@p2pcdn/core';
import SimplePeer from 'simple-peer/simplepeer.min.js';

/** Whether this browser can open WebRTC DataChannels at all. */
export const webrtcSupported: boolean = SimplePeer.WEBRTC_SUPPORT;

/**
 * Creates simple-peer connections on the browser's own WebRTC, with the coordinator's ICE
 * servers passed through unchanged (empty on loopback and LAN deployments).
 */
export const browserPeerFactory: PeerFactory = ({ initiator, iceServers }) =>
  new SimplePeer({
    initiator,
    trickle: true,
    config: { iceServers: iceServers.map((server) => ({ ...server })) },
  });
