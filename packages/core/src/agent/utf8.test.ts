import { describe, expect, it } from 'vitest';
import { decodeUtf8 } from './utf8.ts';

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);
/** Reference encoder (core has no TextEncoder): percent-encoding yields the UTF-8 bytes. */
const encode = (text: string): Uint8Array =>
  Uint8Array.from(unescape(encodeURIComponent(text)), (c) => c.charCodeAt(0));

describe('decodeUtf8', () => {
  it('decodes ASCII, multi-byte and astral characters like a standard decoder', () => {
    const text = '{"a":"héllo wörld – ☃ 😀 中文"}';
    expect(decodeUtf8(encode(text))).toBe(text);
  });

  it('replaces malformed, truncated, overlong and surrogate sequences with U+FFFD', () => {
    expect(decodeUtf8(bytes(0x41, 0xff, 0x42))).toBe('A\uFFFDB');
    expect(decodeUtf8(bytes(0xe2, 0x82))).toBe('\uFFFD\uFFFD');
    expect(decodeUtf8(bytes(0xc0, 0x80))).toBe('\uFFFD\uFFFD');
    expect(decodeUtf8(bytes(0xed, 0xa0, 0x80))).toBe('\uFFFD\uFFFD\uFFFD');
  });

  it('decodes long inputs in chunks', () => {
    const text = 'x'.repeat(100_000) + 'é';
    expect(decodeUtf8(encode(text))).toBe(text);
  });
});
