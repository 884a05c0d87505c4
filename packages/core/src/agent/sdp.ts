/**
 * Rewrites an offer's `a=setup:actpass` to `a=setup:active`, making its sender the DTLS client.
 * Pass it as simple-peer's `sdpTransform` on the initiating side. The answering side (any
 * standard implementation) then answers `passive` and is ready for the DTLS hello when it comes;
 * with the default roles, libdatachannel as the answerer often sends its hello before the offerer
 * has even seen the answer, and only repeats it a second later.
 */
export function takeDtlsClientRole(sdp: string): string {
  return sdp.replace(/^a=setup:actpass(?=\r?$)/gm, 'a=setup:active');
}
