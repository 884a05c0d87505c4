import {
  RegionSchema,
  StreamIdSchema,
  validate,
  type Capacity,
  type Region,
  type StreamId,
} from '@p2pcdn/core';
import { DEFAULT_CACHE_BYTES, DEFAULT_REGION, DEFAULT_UPLOAD_KBPS } from './page-defaults.ts';
import { PlayerError } from './player-error.ts';

export { DEFAULT_CACHE_BYTES, DEFAULT_REGION, DEFAULT_UPLOAD_KBPS };

/** What the page's query string asks for. */
export interface PageParams {
  /** The stream to play, or `null` for the list of streams. */
  streamId: StreamId | null;
  region: Region;
  capacity: Capacity;
}

/**
 * Reads `?stream=<id>&region=<slug>&upload=<kbps>&cache=<MB>`. Throws a {@link PlayerError}
 * of kind `bad-request` naming the offending parameter.
 */
export function parsePageParams(search: string): PageParams {
  const query = new URLSearchParams(search);
  const stream = query.get('stream');
  let streamId: StreamId | null = null;
  if (stream !== null && stream !== '') {
    const parsed = validate(StreamIdSchema, stream);
    if (!parsed.ok)
      throw new PlayerError(
        'bad-request',
        `"${stream}" is not a stream name: names are lowercase letters, digits and "-", up to 63 characters.`,
      );
    streamId = parsed.value;
  }

  let region = DEFAULT_REGION as Region;
  const regionParam = query.get('region');
  if (regionParam !== null && regionParam !== '') {
    const parsed = validate(RegionSchema, regionParam);
    if (!parsed.ok)
      throw new PlayerError(
        'bad-request',
        `"${regionParam}" is not a region: regions are lowercase letters, digits and "-", up to 32 characters.`,
      );
    region = parsed.value;
  }

  return {
    streamId,
    region,
    capacity: {
      uploadKbps: intParam(query, 'upload', DEFAULT_UPLOAD_KBPS, 10_000_000),
      cacheBytes: intParam(query, 'cache', DEFAULT_CACHE_BYTES / (1024 * 1024), 1024 * 1024) * 1024 * 1024,
    },
  };
}

function intParam(query: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new PlayerError('bad-request', `?${name}= must be a whole number from 0 to ${max}, not "${raw}".`);
  }
  return value;
}
