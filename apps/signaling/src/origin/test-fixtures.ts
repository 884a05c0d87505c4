/** Test helpers: build ISO-BMFF boxes by hand. Not used by the origin itself. */

/** Concatenates byte arrays. */
export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Big-endian unsigned integer of `bytes` bytes. */
export function uint(value: number | bigint, bytes: 4 | 8 = 4): Uint8Array {
  const out = new Uint8Array(bytes);
  const view = new DataView(out.buffer);
  if (bytes === 4) view.setUint32(0, Number(value));
  else view.setBigUint64(0, BigInt(value));
  return out;
}

/** A box with a 32-bit size. */
export function box(type: string, ...payload: readonly Uint8Array[]): Uint8Array {
  const body = concat(...payload);
  return concat(uint(8 + body.length), new TextEncoder().encode(type), body);
}

/** A FullBox: version and flags, then `payload`. */
export function fullBox(
  type: string,
  version: number,
  flags: number,
  ...payload: readonly Uint8Array[]
): Uint8Array {
  return box(type, uint(((version & 0xff) << 24) | (flags & 0xffffff)), ...payload);
}
