/**
 * UTF-8 decoding without `TextDecoder` (core compiles without DOM or Node types). Only used for
 * JSON control frames, which are small; malformed sequences decode to U+FFFD.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  const units: number[] = [];
  let out = '';
  const flush = (): void => {
    out += String.fromCharCode(...units);
    units.length = 0;
  };
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i] ?? 0;
    let codePoint = 0xfffd;
    let width = 1;
    if (b0 < 0x80) {
      codePoint = b0;
    } else if (b0 >= 0xc2 && b0 < 0xe0) {
      width = 2;
    } else if (b0 >= 0xe0 && b0 < 0xf0) {
      width = 3;
    } else if (b0 >= 0xf0 && b0 < 0xf5) {
      width = 4;
    }
    if (width > 1) {
      codePoint = decodeMultiByte(bytes, i, width);
      if (codePoint === 0xfffd) width = 1;
    }
    i += width;
    if (codePoint > 0xffff) {
      const c = codePoint - 0x10000;
      units.push(0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff));
    } else {
      units.push(codePoint);
    }
    if (units.length >= 4096) flush();
  }
  flush();
  return out;
}

const MIN_BY_WIDTH = [0, 0, 0x80, 0x800, 0x10000];

function decodeMultiByte(bytes: Uint8Array, start: number, width: number): number {
  if (start + width > bytes.length) return 0xfffd;
  let codePoint = (bytes[start] ?? 0) & (0xff >> (width + 1));
  for (let k = 1; k < width; k++) {
    const b = bytes[start + k] ?? 0;
    if ((b & 0xc0) !== 0x80) return 0xfffd;
    codePoint = (codePoint << 6) | (b & 0x3f);
  }
  const overlong = codePoint < (MIN_BY_WIDTH[width] ?? 0);
  const surrogate = codePoint >= 0xd800 && codePoint <= 0xdfff;
  return overlong || surrogate || codePoint > 0x10ffff ? 0xfffd : codePoint;
}
