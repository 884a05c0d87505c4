import { describe, expect, it } from 'vitest';
import { namesField, refusal } from '../testing/mutate.ts';
import {
  ByteRangeSchema,
  CapacitySchema,
  ErrorBodySchema,
  HttpUrlSchema,
  MAX_SEGMENT_BYTES,
  NodeIdSchema,
  OriginNodeIdSchema,
  originNodeId,
  RegionSchema,
  SegmentRefSchema,
  segmentKey,
  StreamIdSchema,
} from './common.ts';
import { StreamRegistrationSchema } from './stream.ts';
import { assertNever, describeIssues, exceedsSize, validate } from './validate.ts';

const ok = (schema: Parameters<typeof validate>[0], input: unknown): boolean => validate(schema, input).ok;

describe('ids', () => {
  it('accepts node ids of letters, digits, - and _ up to 64 characters', () => {
    for (const id of ['a', 'A-z_09', 'n'.repeat(64)]) expect(ok(NodeIdSchema, id)).toBe(true);
    for (const id of ['', 'n'.repeat(65), 'a b', 'a/b', 'é', 'a.b', 'origin:x'])
      expect(ok(NodeIdSchema, id)).toBe(false);
  });

  it('accepts stream ids that are lowercase slugs', () => {
    for (const id of ['demo-live', '0', 'a'.repeat(63)]) expect(ok(StreamIdSchema, id)).toBe(true);
    for (const id of ['', '-lead', 'Demo', 'a_b', 'a'.repeat(64), 'a b'])
      expect(ok(StreamIdSchema, id)).toBe(false);
  });

  it('accepts regions that are short slugs', () => {
    expect(ok(RegionSchema, 'eu-west')).toBe(true);
    expect(ok(RegionSchema, 'r'.repeat(33))).toBe(false);
  });

  it('names origins as pseudo-nodes', () => {
    expect(originNodeId('demo-live')).toBe('origin:demo-live');
    expect(ok(OriginNodeIdSchema, originNodeId('demo-live'))).toBe(true);
    expect(ok(OriginNodeIdSchema, 'origin:')).toBe(false);
    expect(ok(OriginNodeIdSchema, 'relay-1')).toBe(false);
  });
});

describe('HttpUrlSchema', () => {
  it('accepts absolute http and https URLs', () => {
    for (const url of ['http://127.0.0.1:8081/live/index.m3u8', 'HTTPS://cdn.example.org/a.ts?x=1']) {
      expect(ok(HttpUrlSchema, url)).toBe(true);
    }
  });

  it('rejects other schemes, relative URLs, whitespace and oversized URLs', () => {
    for (const url of [
      'ftp://o.test/a.ts',
      'javascript:alert(1)',
      'data:text/plain,hi',
      'file:///etc/passwd',
      '/live/index.m3u8',
      'http://',
      'http://a b/c',
      `http://o.test/${'a'.repeat(2040)}`,
    ]) {
      expect(ok(HttpUrlSchema, url)).toBe(false);
    }
    expect(refusal(validate(HttpUrlSchema, 'ftp://x'))).toBe(
      'bad-request: message: must be an absolute http(s) URL',
    );
  });
});

describe('segments', () => {
  it('accepts byte ranges with end after start, up to the segment maximum', () => {
    expect(ok(ByteRangeSchema, { start: 0, end: 1 })).toBe(true);
    expect(ok(ByteRangeSchema, { start: 10, end: 10 + MAX_SEGMENT_BYTES })).toBe(true);
    expect(ok(ByteRangeSchema, { start: 10, end: 11 + MAX_SEGMENT_BYTES })).toBe(false);
    expect(ok(ByteRangeSchema, { start: 5, end: 5 })).toBe(false);
    expect(ok(ByteRangeSchema, { start: -1, end: 5 })).toBe(false);
  });

  it('keys segments by URL and range', () => {
    const url = 'http://o.test/a.mp4';
    expect(segmentKey({ streamId: 's', url })).toBe(url);
    expect(segmentKey({ streamId: 's', url, range: { start: 0, end: 100 } })).toBe(`${url}#0-100`);
  });

  it('rejects segment refs with extra fields or a bad stream', () => {
    const url = 'http://o.test/a.ts';
    expect(refusal(validate(SegmentRefSchema, { streamId: 'S', url }))).toMatch(namesField('streamId'));
    expect(refusal(validate(SegmentRefSchema, { streamId: 's', url, x: 1 }))).toMatch(
      /Unrecognized key: "x"/,
    );
  });
});

describe('capacity, errors and registrations', () => {
  it('bounds capacities', () => {
    expect(ok(CapacitySchema, { uploadKbps: 0, cacheBytes: 0 })).toBe(true);
    expect(refusal(validate(CapacitySchema, { uploadKbps: 10_000_001, cacheBytes: 0 }))).toMatch(
      namesField('uploadKbps'),
    );
    expect(refusal(validate(CapacitySchema, { uploadKbps: 1, cacheBytes: 1024 ** 4 + 1 }))).toMatch(
      namesField('cacheBytes'),
    );
  });

  it('accepts error bodies with a known code only', () => {
    expect(ok(ErrorBodySchema, { code: 'unknown-stream', message: 'No such stream.' })).toBe(true);
    expect(refusal(validate(ErrorBodySchema, { code: 'teapot', message: '' }))).toMatch(namesField('code'));
  });

  it('validates stream registrations', () => {
    const registration = { id: 'my-show', url: 'https://pub.example/show/index.m3u8' };
    expect(ok(StreamRegistrationSchema, registration)).toBe(true);
    expect(ok(StreamRegistrationSchema, { ...registration, title: 'Show', bitrateKbps: 3000 })).toBe(true);
    expect(refusal(validate(StreamRegistrationSchema, { ...registration, title: '' }))).toMatch(
      namesField('title'),
    );
    expect(refusal(validate(StreamRegistrationSchema, { ...registration, url: 'rtmp://x' }))).toMatch(
      namesField('url'),
    );
    expect(refusal(validate(StreamRegistrationSchema, { ...registration, bitrateKbps: 0 }))).toMatch(
      namesField('bitrateKbps'),
    );
  });
});

describe('validate helpers', () => {
  it('reports at most five issues, each with its path', () => {
    const parsed = CapacitySchema.safeParse({ uploadKbps: 'x', cacheBytes: 'y' });
    expect(parsed.success).toBe(false);
    if (!parsed.success) {
      expect(describeIssues(parsed.error)).toBe(
        'uploadKbps: Invalid input: expected number, received string; cacheBytes: Invalid input: expected number, received string',
      );
    }
    const many = validate(StreamRegistrationSchema, { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7 });
    expect(many.ok).toBe(false);
    if (!many.ok) expect(many.error.message.split('; ').length).toBeLessThanOrEqual(5);
  });

  it('measures size by the JSON form and treats unserialisable input as too large', () => {
    expect(exceedsSize({ a: 'x'.repeat(10) }, 10)).toBe(true);
    expect(exceedsSize({ a: 'x' }, 100)).toBe(false);
    expect(exceedsSize(undefined)).toBe(false);
    expect(exceedsSize({ big: 1n })).toBe(true);
  });

  it('assertNever throws with the unexpected value', () => {
    expect(() => assertNever('boom' as never, 'thing')).toThrow('unhandled thing: "boom"');
  });
});
