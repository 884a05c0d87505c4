import { describe, expect, it } from 'vitest';
import { DEFAULT_CACHE_BYTES, DEFAULT_UPLOAD_KBPS, parsePageParams } from './page-params.ts';
import { PlayerError } from './player-error.ts';

describe('parsePageParams', () => {
  it('defaults to the stream list, region local, 8 Mbit/s upload and a 200 MB cache', () => {
    expect(parsePageParams('')).toEqual({
      streamId: null,
      region: 'local',
      capacity: { uploadKbps: DEFAULT_UPLOAD_KBPS, cacheBytes: DEFAULT_CACHE_BYTES },
    });
  });

  it('reads stream, region, upload and cache', () => {
    expect(parsePageParams('?stream=demo-live&region=eu-west&upload=1500&cache=50')).toEqual({
      streamId: 'demo-live',
      region: 'eu-west',
      capacity: { uploadKbps: 1500, cacheBytes: 50 * 1024 * 1024 },
    });
  });

  it('refuses a malformed stream name with a bad-request error', () => {
    expect(() => parsePageParams('?stream=Not%20A%20Slug')).toThrow(PlayerError);
    try {
      parsePageParams('?stream=Bad!');
    } catch (error) {
      expect(error instanceof PlayerError && error.kind).toBe('bad-request');
    }
  });

  it('refuses a non-numeric upload', () => {
    expect(() => parsePageParams('?upload=fast')).toThrow(/upload/);
  });
});
