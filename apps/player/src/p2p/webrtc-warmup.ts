/**
 * WebRTC's per-page setup, done while the coordinator is answering the hello rather than when the
 * first parent connection is waiting for it: one DTLS certificate that every connection of the
 * page then shares (otherwise each RTCPeerConnection generates its own key pair before it can
 * create its offer), and one throw-away connection with a data channel and an offer, which starts
 * WebRTC's threads and connection factory. Best effort: any failure is ignored (connections then
 * generate their own certificates, and report their own errors).
 */
export class WebRtcWarmUp {
  private certificate: RTCCertificate | undefined;

  /** The shared certificate, once generated. */
  certificates(): RTCCertificate[] | undefined {
    return this.certificate ? [this.certificate] : undefined;
  }

  async run(): Promise<void> {
    let connection: RTCPeerConnection | undefined;
    try {
      // ECDSA P-256: what Chromium and Firefox generate by default, and quick to make.
      this.certificate = await RTCPeerConnection.generateCertificate({
        name: 'ECDSA',
        namedCurve: 'P-256',
      } as EcKeyGenParams);
    } catch {
      // Connections generate their own.
    }
    try {
      const certificates = this.certificates();
      connection = new RTCPeerConnection({ iceServers: [], ...(certificates ? { certificates } : {}) });
      connection.createDataChannel('warm-up');
      await connection.createOffer();
    } catch {
      // Nothing to warm up: the parent connection will say what is wrong.
    } finally {
      connection?.close();
    }
  }
}
