import { describe, expect, it } from 'vitest';
import { namesField, refusal } from '../testing/mutate.ts';
import { MAX_CONTROL_MESSAGE_CHARS, MAX_SEGMENT_BYTES } from './common.ts';
import {
  DATA_FRAME_HEADER_BYTES,
  DATA_FRAME_KIND,
  DATA_FRAME_PAYLOAD_BYTES,
  type PeerMessage,
  type PeerMessageType,
} from './peer-wire.ts';
import {
  decodeDataFrame,
  encodeDataFrame,
  encodePeerMessage,
  parsePeerMessage,
  type Validated,
} from './validate.ts';

const expectRefused = (result: Validated<unknown>, field: string | RegExp): void => {
  expect(refusal(result)).toMatch(typeof field === 'string' ? namesField(field) : field);
};
const json = (value: unknown): string => JSON.stringify(value);
const segment = { streamId: 'demo-live', url: 'http://127.0.0.1:8081/live/seg-7.m4s' };

const cases: Record<
  PeerMessageType,
  { valid: PeerMessage[]; invalid: { name: string; text: string; field: string | RegExp }[] }
> = {
  hello: {
    valid: [{ type: 'hello', nodeId: 'relay_1-a' }],
    invalid: [
      { name: 'a bad node id', text: json({ type: 'hello', nodeId: 'a b' }), field: 'nodeId' },
      {
        name: 'an oversized node id',
        text: json({ type: 'hello', nodeId: 'n'.repeat(65) }),
        field: 'nodeId',
      },
      { name: 'a missing node id', text: json({ type: 'hello' }), field: 'nodeId' },
    ],
  },
  request: {
    valid: [
      { type: 'request', id: 0, segment },
      { type: 'request', id: 0xffff_ffff, segment: { ...segment, range: { start: 0, end: 1000 } } },
    ],
    invalid: [
      { name: 'a negative id', text: json({ type: 'request', id: -1, segment }), field: 'id' },
      { name: 'an id above 32 bits', text: json({ type: 'request', id: 2 ** 32, segment }), field: 'id' },
      { name: 'a fractional id', text: json({ type: 'request', id: 1.5, segment }), field: 'id' },
      { name: 'a string id', text: json({ type: 'request', id: '1', segment }), field: 'id' },
      {
        name: 'a file: url',
        text: json({ type: 'request', id: 1, segment: { ...segment, url: 'file:///etc/passwd' } }),
        field: 'segment.url',
      },
      {
        name: 'an oversized url',
        text: json({ type: 'request', id: 1, segment: { ...segment, url: `http://o/${'a'.repeat(2048)}` } }),
        field: 'segment.url',
      },
      {
        name: 'a bad stream id',
        text: json({ type: 'request', id: 1, segment: { ...segment, streamId: 'Live!' } }),
        field: 'segment.streamId',
      },
      {
        name: 'an inverted range',
        text: json({ type: 'request', id: 1, segment: { ...segment, range: { start: 10, end: 5 } } }),
        field: 'segment.range',
      },
      {
        name: 'a range larger than a segment may be',
        text: json({
          type: 'request',
          id: 1,
          segment: { ...segment, range: { start: 0, end: MAX_SEGMENT_BYTES + 1 } },
        }),
        field: 'segment.range',
      },
      {
        name: 'an extra segment field',
        text: json({ type: 'request', id: 1, segment: { ...segment, priority: 1 } }),
        field: /segment: Unrecognized key: "priority"/,
      },
    ],
  },
  cancel: {
    valid: [{ type: 'cancel', id: 42 }],
    invalid: [{ name: 'a missing id', text: json({ type: 'cancel' }), field: 'id' }],
  },
  'data-start': {
    valid: [
      { type: 'data-start', id: 1, size: 0 },
      { type: 'data-start', id: 1, size: MAX_SEGMENT_BYTES },
    ],
    invalid: [
      {
        name: 'a size over the maximum',
        text: json({ type: 'data-start', id: 1, size: MAX_SEGMENT_BYTES + 1 }),
        field: 'size',
      },
      { name: 'a negative size', text: json({ type: 'data-start', id: 1, size: -1 }), field: 'size' },
      { name: 'a fractional size', text: json({ type: 'data-start', id: 1, size: 0.5 }), field: 'size' },
    ],
  },
  miss: {
    valid: (['not-found', 'busy', 'upstream-failed', 'bad-request', 'cancelled'] as const).map((reason) => ({
      type: 'miss' as const,
      id: 3,
      reason,
    })),
    invalid: [
      { name: 'an unknown reason', text: json({ type: 'miss', id: 3, reason: 'nope' }), field: 'reason' },
      { name: 'a missing reason', text: json({ type: 'miss', id: 3 }), field: 'reason' },
    ],
  },
  ping: {
    valid: [{ type: 'ping', nonce: 0 }],
    invalid: [
      { name: 'a negative nonce', text: json({ type: 'ping', nonce: -1 }), field: 'nonce' },
      {
        name: 'an extra field',
        text: json({ type: 'ping', nonce: 1, at: 5 }),
        field: /Unrecognized key: "at"/,
      },
    ],
  },
  pong: {
    valid: [{ type: 'pong', nonce: 99 }],
    invalid: [{ name: 'a string nonce', text: json({ type: 'pong', nonce: '9' }), field: 'nonce' }],
  },
};

describe('parsePeerMessage', () => {
  for (const [type, { valid, invalid }] of Object.entries(cases)) {
    describe(type, () => {
      it('accepts well-formed messages and round-trips them', () => {
        for (const msg of valid)
          expect(parsePeerMessage(encodePeerMessage(msg))).toEqual({ ok: true, value: msg });
      });
      for (const bad of invalid) {
        it(`rejects ${bad.name}`, () => expectRefused(parsePeerMessage(bad.text), bad.field));
      }
    });
  }

  it('rejects text that is not JSON', () => {
    expect(parsePeerMessage('{"type":')).toEqual({
      ok: false,
      error: { code: 'bad-request', message: 'control frame is not JSON' },
    });
    expect(parsePeerMessage('')).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });

  it('rejects JSON that is not a message', () => {
    expectRefused(parsePeerMessage('null'), 'message');
    expectRefused(parsePeerMessage('[1,2]'), 'message');
    expectRefused(parsePeerMessage('"hello"'), 'message');
    expectRefused(parsePeerMessage(json({ type: 'shutdown' })), 'type');
    expectRefused(parsePeerMessage(json({ nodeId: 'a' })), 'type');
  });

  it('rejects control frames over 64k characters before parsing them', () => {
    const text = json({ type: 'hello', nodeId: 'a', pad: 'x'.repeat(MAX_CONTROL_MESSAGE_CHARS) });
    expect(parsePeerMessage(text)).toEqual({
      ok: false,
      error: {
        code: 'too-large',
        message: `control frame larger than ${MAX_CONTROL_MESSAGE_CHARS} characters`,
      },
    });
  });

  it('does not let __proto__ keys through', () => {
    expectRefused(
      parsePeerMessage('{"type":"cancel","id":1,"__proto__":{"polluted":true}}'),
      /Unrecognized key/,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('data frames', () => {
  it('round-trip id, offset and payload', () => {
    const payload = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
    const bytes = encodeDataFrame({ id: 0xdead_beef, offset: 123_456, payload });
    expect(bytes.byteLength).toBe(DATA_FRAME_HEADER_BYTES + 1000);
    expect(bytes[0]).toBe(DATA_FRAME_KIND);
    const decoded = decodeDataFrame(bytes);
    expect(decoded).toEqual({ ok: true, value: { id: 0xdead_beef, offset: 123_456, payload } });
  });

  it('round-trip a full-size frame and an empty one', () => {
    const full = new Uint8Array(DATA_FRAME_PAYLOAD_BYTES).fill(7);
    const decoded = decodeDataFrame(encodeDataFrame({ id: 1, offset: 0xffff_ffff, payload: full }));
    expect(decoded.ok && decoded.value.payload.byteLength).toBe(DATA_FRAME_PAYLOAD_BYTES);
    expect(decoded.ok && decoded.value.offset).toBe(0xffff_ffff);
    expect(decodeDataFrame(encodeDataFrame({ id: 2, offset: 0, payload: new Uint8Array(0) }))).toEqual({
      ok: true,
      value: { id: 2, offset: 0, payload: new Uint8Array(0) },
    });
  });

  it('decode a frame that sits inside a larger buffer', () => {
    const frame = encodeDataFrame({ id: 5, offset: 10, payload: new Uint8Array([1, 2, 3]) });
    const backing = new Uint8Array(frame.byteLength + 20);
    backing.set(frame, 7);
    const decoded = decodeDataFrame(backing.subarray(7, 7 + frame.byteLength));
    expect(decoded).toEqual({ ok: true, value: { id: 5, offset: 10, payload: new Uint8Array([1, 2, 3]) } });
  });

  it('reject frames shorter than the header', () => {
    for (const length of [0, 1, DATA_FRAME_HEADER_BYTES - 1]) {
      expect(refusal(decodeDataFrame(new Uint8Array(length).fill(DATA_FRAME_KIND)))).toBe(
        `bad-request: binary frame shorter than its ${DATA_FRAME_HEADER_BYTES}-byte header`,
      );
    }
  });

  it('reject unknown frame kinds', () => {
    const frame = encodeDataFrame({ id: 1, offset: 0, payload: new Uint8Array(4) });
    for (const kind of [0, 2, 0x7b, 255]) {
      frame[0] = kind;
      expect(refusal(decodeDataFrame(frame))).toBe(`bad-request: unknown binary frame kind ${kind}`);
    }
  });
});
