/**
 * Creates (and closes) one RTCPeerConnection with a data channel and an offer, so that WebRTC's
 * per-page setup (its threads, the connection factory, the first certificate) is done while the
 * coordinator is answering the hello, rather than when the first parent connection is waiting for
 * it. Best effort: any failure is ignored (the real connection reports its own).
 */
export async function warmUpWebRtc(): Promise<void> {
  let connection: RTCPeerConnection | undefined;
  try {
    connection = new RTCPeerConnection({ iceServers: [] });
    connection.createDataChannel('warm-up');
    await connection.createOffer();
  } catch {
    // Nothing to warm up: the parent connection will say what is wrong.
  } finally {
    connection?.close();
  }
}
