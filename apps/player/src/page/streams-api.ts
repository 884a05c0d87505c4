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

/**
 * Reads one stream from `GET /api/streams/:id`, so playback can start while the coordinator is
 * still being joined. Resolves `null` for anything but a valid answer (unknown stream, API down,
 * malformed body): the join then says what is wrong.
 */
export async function fetchStream(
  streamId: string,
  fetchFn: FetchLike = fetch,
  signal?: AbortSignal,
): Promise<StreamInfo | null> {
  const url = `/api/streams/${encodeURIComponent(streamId)}`;
  const response = await fetchFn(url, signal ? { signal } : {}).catch(() => null);
  return parseStreamAnswer(streamId, response);
}

/** Validates the answer to `GET /api/streams/:id` (see {@link fetchStream}); `null` if unusable. */
export async function parseStreamAnswer(
  streamId: string,
  response: Response | null,
): Promise<StreamInfo | null> {
  if (!response?.ok) return null;
  try {
    const body: unknown = await response.json();
    const item = typeof body === 'object' && body !== null && 'stream' in body ? body.stream : undefined;
    const parsed = validate(StreamInfoSchema, item);
    return parsed.ok && parsed.value.id === streamId ? parsed.value : null;
  } catch {
    return null;
  }
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
