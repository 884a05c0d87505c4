import { STRIPE_MAX_BLOCK_BYTES } from './stripe.ts';
import type { Validated } from './validate.ts';

/**
 * Binary frame of a striped pull: `[kind:u8=2][sub:u32be][seq:u32be][payload…]`, one block per
 * frame. Kind 1 (request data, {@link DataFrame}) is unchanged; the first byte tells them apart.
 */
export const BLOCK_FRAME_KIND = 2;
export const BLOCK_FRAME_HEADER_BYTES = 9;

/** A decoded block frame: block `seq` of subscription `sub`. */
export interface BlockFrame {
  sub: number;
  seq: number;
  payload: Uint8Array;
}

/** The kind byte of a binary frame, or undefined for an empty one. */
export function binaryFrameKind(bytes: Uint8Array): number | undefined {
  return bytes[0];
}

/** Encodes a block frame. */
export function encodeBlockFrame(frame: BlockFrame): Uint8Array {
  const out = new Uint8Array(BLOCK_FRAME_HEADER_BYTES + frame.payload.byteLength);
  const view = new DataView(out.buffer);
  view.setUint8(0, BLOCK_FRAME_KIND);
  view.setUint32(1, frame.sub);
  view.setUint32(5, frame.seq);
  out.set(frame.payload, BLOCK_FRAME_HEADER_BYTES);
  return out;
}

/** Decodes a block frame; the payload is a view into `bytes`, not a copy. */
export function decodeBlockFrame(bytes: Uint8Array): Validated<BlockFrame> {
  if (bytes.byteLength < BLOCK_FRAME_HEADER_BYTES) {
    return refuse(`block frame shorter than its ${BLOCK_FRAME_HEADER_BYTES}-byte header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kind = view.getUint8(0);
  if (kind !== BLOCK_FRAME_KIND) return refuse(`binary frame kind ${kind} is not a block frame`);
  const payload = bytes.subarray(BLOCK_FRAME_HEADER_BYTES);
  if (payload.byteLength === 0) return refuse('block frame without payload');
  if (payload.byteLength > STRIPE_MAX_BLOCK_BYTES) {
    return refuse(`block of ${payload.byteLength} bytes exceeds ${STRIPE_MAX_BLOCK_BYTES}`);
  }
  return { ok: true, value: { sub: view.getUint32(1), seq: view.getUint32(5), payload } };
}

function refuse(message: string): Validated<never> {
  return { ok: false, error: { code: 'bad-request', message } };
}
