import { describe, expect, it } from 'vitest';
import { namesField, refusal } from '../testing/mutate.ts';
import {
  BLOCK_FRAME_HEADER_BYTES,
  BLOCK_FRAME_KIND,
  binaryFrameKind,
  decodeBlockFrame,
  encodeBlockFrame,
} from './block-frame.ts';
import { DATA_FRAME_KIND } from './peer-wire.ts';
import {
  PROBE_MAX_PAD_CHARS,
  STRIPE_MAX_BLOCK_BYTES,
  encodeStripeMessage,
  parsePeerWireMessage,
  parseStripeMessage,
  type StripeMessage,
  type StripeMessageType,
} from './stripe.ts';
import { decodeDataFrame, encodeDataFrame, parsePeerMessage, type Validated } from './validate.ts';

const expectRefused = (result: Validated<unknown>, field: string | RegExp): void => {
  expect(refusal(result)).toMatch(typeof field === 'string' ? namesField(field) : field);
};
const json = (value: unknown): string => JSON.stringify(value);
const segment = { streamId: 'demo-live', url: 'http://127.0.0.1:8081/live/seg-7.m4s' };
const pattern = {
  type: 'pattern',
  sub: 1,
  streamId: 'demo-live',
  epoch: 2,
  startSeq: 620,
  pattern: 'AABCC',
  letter: 'B',
};
const blockRequest = {
  type: 'block-request',
  sub: 1,
  segment,
  baseSeq: 100,
  blockBytes: 16_384,
  ranges: [[104, 106]],
};

const cases: Record<
  StripeMessageType,
  { valid: StripeMessage[]; invalid: { name: string; text: string; field: string | RegExp }[] }
> = {
  pattern: {
    valid: [
      pattern as StripeMessage,
      { ...(pattern as StripeMessage & { type: 'pattern' }), letter: 'D', upstream: 'relay-7' },
      { ...(pattern as StripeMessage & { type: 'pattern' }), pattern: 'A'.repeat(1024) },
    ],
    invalid: [
      { name: 'an empty pattern', text: json({ ...pattern, pattern: '' }), field: 'pattern' },
      {
        name: 'a pattern over 1024 slots',
        text: json({ ...pattern, pattern: 'A'.repeat(1025) }),
        field: 'pattern',
      },
      { name: 'punctuation in the pattern', text: json({ ...pattern, pattern: 'AB-C' }), field: 'pattern' },
      { name: 'a two-letter letter', text: json({ ...pattern, letter: 'AB' }), field: 'letter' },
      { name: 'a negative start', text: json({ ...pattern, startSeq: -1 }), field: 'startSeq' },
      { name: 'a start beyond u32', text: json({ ...pattern, startSeq: 2 ** 32 }), field: 'startSeq' },
      { name: 'a fractional epoch', text: json({ ...pattern, epoch: 1.5 }), field: 'epoch' },
      { name: 'a bad stream id', text: json({ ...pattern, streamId: 'Live!' }), field: 'streamId' },
      { name: 'a bad upstream id', text: json({ ...pattern, upstream: 'a b' }), field: 'upstream' },
      { name: 'a missing sub', text: json({ ...pattern, sub: undefined }), field: 'sub' },
    ],
  },
  'stripe-segment': {
    valid: [
      { type: 'stripe-segment', sub: 0, segment, baseSeq: 0, blockBytes: 16_384 },
      { type: 'stripe-segment', sub: 0xffff_ffff, segment, baseSeq: 7, blockBytes: 1024, size: 0 },
    ],
    invalid: [
      {
        name: 'blocks smaller than 1 KiB',
        text: json({ type: 'stripe-segment', sub: 0, segment, baseSeq: 0, blockBytes: 512 }),
        field: 'blockBytes',
      },
      {
        name: 'blocks over 64 KiB',
        text: json({
          type: 'stripe-segment',
          sub: 0,
          segment,
          baseSeq: 0,
          blockBytes: STRIPE_MAX_BLOCK_BYTES + 1,
        }),
        field: 'blockBytes',
      },
      {
        name: 'a file: url',
        text: json({
          type: 'stripe-segment',
          sub: 0,
          segment: { ...segment, url: 'file:///x' },
          baseSeq: 0,
          blockBytes: 16_384,
        }),
        field: 'segment.url',
      },
      {
        name: 'a segment too large',
        text: json({
          type: 'stripe-segment',
          sub: 0,
          segment,
          baseSeq: 0,
          blockBytes: 16_384,
          size: 2 ** 40,
        }),
        field: 'size',
      },
    ],
  },
  'stripe-have': {
    valid: [{ type: 'stripe-have', sub: 3, baseSeq: 100, size: 1_000_000 }],
    invalid: [
      {
        name: 'a negative size',
        text: json({ type: 'stripe-have', sub: 3, baseSeq: 100, size: -5 }),
        field: 'size',
      },
    ],
  },
  'stripe-miss': {
    valid: [{ type: 'stripe-miss', sub: 3, baseSeq: 100, reason: 'not-found' }],
    invalid: [
      {
        name: 'an unknown reason',
        text: json({ type: 'stripe-miss', sub: 3, baseSeq: 1, reason: 'nah' }),
        field: 'reason',
      },
    ],
  },
  'block-request': {
    valid: [
      blockRequest as StripeMessage,
      {
        ...(blockRequest as StripeMessage & { type: 'block-request' }),
        ranges: [
          [0, 1],
          [5, 9],
        ],
      },
    ],
    invalid: [
      { name: 'no ranges', text: json({ ...blockRequest, ranges: [] }), field: 'ranges' },
      { name: 'an empty range', text: json({ ...blockRequest, ranges: [[5, 5]] }), field: 'ranges.0' },
      { name: 'an inverted range', text: json({ ...blockRequest, ranges: [[6, 5]] }), field: 'ranges.0' },
      {
        name: 'a range with three ends',
        text: json({ ...blockRequest, ranges: [[1, 2, 3]] }),
        field: 'ranges.0',
      },
      {
        name: 'too many ranges',
        text: json({ ...blockRequest, ranges: Array.from({ length: 257 }, (_, i) => [2 * i, 2 * i + 1]) }),
        field: 'ranges',
      },
      { name: 'a missing segment', text: json({ ...blockRequest, segment: undefined }), field: 'segment' },
    ],
  },
  'stripe-cancel': {
    valid: [{ type: 'stripe-cancel', sub: 9, baseSeq: 40 }],
    invalid: [
      { name: 'a missing baseSeq', text: json({ type: 'stripe-cancel', sub: 9 }), field: 'baseSeq' },
      {
        name: 'a negative baseSeq',
        text: json({ type: 'stripe-cancel', sub: 9, baseSeq: -1 }),
        field: 'baseSeq',
      },
    ],
  },
  'stripe-close': {
    valid: [{ type: 'stripe-close', sub: 9 }],
    invalid: [
      {
        name: 'an extra field',
        text: json({ type: 'stripe-close', sub: 9, why: 'x' }),
        field: /Unrecognized key/,
      },
    ],
  },
  probe: {
    valid: [
      { type: 'probe', nonce: 1, pad: '' },
      { type: 'probe', nonce: 2, pad: 'x'.repeat(PROBE_MAX_PAD_CHARS) },
    ],
    invalid: [
      {
        name: 'an oversized pad',
        text: json({ type: 'probe', nonce: 1, pad: 'x'.repeat(PROBE_MAX_PAD_CHARS + 1) }),
        field: 'pad',
      },
      { name: 'a missing pad', text: json({ type: 'probe', nonce: 1 }), field: 'pad' },
    ],
  },
  'probe-reply': {
    valid: [{ type: 'probe-reply', nonce: 1, pad: 'abc' }],
    invalid: [
      { name: 'a negative nonce', text: json({ type: 'probe-reply', nonce: -1, pad: '' }), field: 'nonce' },
    ],
  },
};

describe('parseStripeMessage', () => {
  for (const [type, { valid, invalid }] of Object.entries(cases)) {
    describe(type, () => {
      it('accepts well-formed messages and round-trips them', () => {
        for (const msg of valid) {
          expect(parseStripeMessage(encodeStripeMessage(msg))).toEqual({ ok: true, value: msg });
        }
      });
      for (const bad of invalid) {
        it(`rejects ${bad.name}`, () => expectRefused(parseStripeMessage(bad.text), bad.field));
      }
    });
  }

  it('rejects peer messages, unknown types and text that is not JSON', () => {
    expectRefused(parseStripeMessage(json({ type: 'hello', nodeId: 'a' })), 'type');
    expectRefused(parseStripeMessage(json({ type: 'stripe-open' })), 'type');
    expect(refusal(parseStripeMessage('{'))).toBe('bad-request: control frame is not JSON');
  });
});

describe('parsePeerWireMessage', () => {
  it('accepts peer and stripe messages alike', () => {
    expect(parsePeerWireMessage(json({ type: 'ping', nonce: 1 }))).toEqual({
      ok: true,
      value: { type: 'ping', nonce: 1 },
    });
    expect(parsePeerWireMessage(json(pattern))).toEqual({ ok: true, value: pattern });
  });

  it('leaves the existing peer messages alone: parsePeerMessage still refuses stripe messages', () => {
    expectRefused(parsePeerMessage(json(pattern)), 'type');
  });
});

describe('block frames', () => {
  it('round-trip subscription, sequence number and payload', () => {
    const payload = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
    const bytes = encodeBlockFrame({ sub: 0xdead_beef, seq: 0xffff_ffff, payload });
    expect(bytes.byteLength).toBe(BLOCK_FRAME_HEADER_BYTES + 1000);
    expect(binaryFrameKind(bytes)).toBe(BLOCK_FRAME_KIND);
    expect(decodeBlockFrame(bytes)).toEqual({
      ok: true,
      value: { sub: 0xdead_beef, seq: 0xffff_ffff, payload },
    });
  });

  it('decode a frame inside a larger buffer, the payload a view', () => {
    const frame = encodeBlockFrame({ sub: 1, seq: 2, payload: Uint8Array.of(7, 8, 9) });
    const backing = new Uint8Array(frame.byteLength + 5);
    backing.set(frame, 5);
    const decoded = decodeBlockFrame(backing.subarray(5));
    expect(decoded).toEqual({ ok: true, value: { sub: 1, seq: 2, payload: Uint8Array.of(7, 8, 9) } });
    expect(decoded.ok && decoded.value.payload.buffer).toBe(backing.buffer);
  });

  it('reject short, empty, oversized and other-kind frames', () => {
    expect(refusal(decodeBlockFrame(new Uint8Array(4)))).toBe(
      'bad-request: block frame shorter than its 9-byte header',
    );
    expect(refusal(decodeBlockFrame(encodeBlockFrame({ sub: 1, seq: 1, payload: new Uint8Array(0) })))).toBe(
      'bad-request: block frame without payload',
    );
    const big = encodeBlockFrame({ sub: 1, seq: 1, payload: new Uint8Array(STRIPE_MAX_BLOCK_BYTES + 1) });
    expect(refusal(decodeBlockFrame(big))).toMatch(/exceeds 65536/);
    const data = encodeDataFrame({ id: 1, offset: 0, payload: new Uint8Array(4) });
    expect(refusal(decodeBlockFrame(data))).toBe(
      `bad-request: binary frame kind ${DATA_FRAME_KIND} is not a block frame`,
    );
    expect(binaryFrameKind(new Uint8Array(0))).toBeUndefined();
  });

  it('leave kind 1 alone: the data frame decoder still refuses block frames', () => {
    const block = encodeBlockFrame({ sub: 1, seq: 1, payload: new Uint8Array(4) });
    expect(refusal(decodeDataFrame(block))).toBe(
      `bad-request: unknown binary frame kind ${BLOCK_FRAME_KIND}`,
    );
  });
});
