import { StreamInfoSchema, validate, type StreamInfo } from '@p2pcdn/core';
import { PlayerError } from './player-error.ts';

/** `fetch` as the API client uses it (injected in tests). */
export type FetchLike = (url: string, init?: { signal?: AbortSignal }) => Promise<Response>;

/**
 * Reads the stream list from `GET /api/streams` on the page's origin. Accepts a bare array or
 * `{ streams: [...] }`; entries that do not match the protocol are skipped.
 * Throws a `coordinator-unreachable` {@link PlayerError} when the API does not answer.
 */
export async function fetchStreams(fetchFn: FetchLike = fetch, signal?: AbortSignal): Promise<StreamInfo[]> {
  let response: Response;
  try {
    response = await fetchFn('/api/streams', signal ? { signal } : {});
  } catch (error) {
    throw new PlayerError(
      'coordinator-unreachable',
      'The coordinator does not answer: the stream list did not load.',
      {
        cause: error,
      },
    );
  }
  if (!response.ok) {
    throw new PlayerError(
      'coordinator-unreachable',
      `The coordinator could not list its streams (HTTP ${response.status}).`,
    );
  }
  return parseStreamList(await response.json());
}

/** Validates a stream list body; see {@link fetchStreams}. */
export function parseStreamList(body: unknown): StreamInfo[] {
  const items: unknown[] = Array.isArray(body)
    ? body
    : typeof body === 'object' && body !== null && 'streams' in body && Array.isArray(body.streams)
      ? body.streams
      : [];
  const streams: StreamInfo[] = [];
  for (const item of items) {
    const parsed = validate(StreamInfoSchema, item);
    if (parsed.ok) streams.push(parsed.value);
  }
  return streams.sort((a, b) => a.id.localeCompare(b.id));
}

/** The page's message for `?stream=<id>` naming a stream the coordinator does not know. */
export function unknownStreamMessage(streamId: string, known: readonly StreamInfo[]): string {
  const list = known.length > 0 ? known.map((s) => s.id).join(', ') : 'none';
  return `No stream named "${streamId}". Known streams: ${list}.`;
}
