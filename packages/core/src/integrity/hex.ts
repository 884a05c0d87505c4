import { IntegrityError } from './errors.ts';

const DIGITS = '0123456789abcdef';

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += (DIGITS[byte >> 4] ?? '') + (DIGITS[byte & 15] ?? '');
  return out;
}

/** Bytes of an even-length hex string (either case); throws `malformed` otherwise. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new IntegrityError('malformed', 'not an even-length hex string');
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
