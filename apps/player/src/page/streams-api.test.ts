import { describe, expect, it } from 'vitest';
import { PlayerError } from './player-error.ts';
import { fetchStream, fetchStreams, parseStreamList, unknownStreamMessage } from './streams-api.ts';

const live = {
  id: 'demo-live',
  title: 'Demo live',
  url: 'http://127.0.0.1:8081/live/index.m3u8',
  bitrateKbps: 1200,
  live: true,
  createdAt: 1,
};
const vod = {
  ...live,
  id: 'demo-vod',
  title: 'Demo VOD',
  url: 'http://127.0.0.1:8081/vod/index.m3u8',
  live: false,
};

describe('parseStreamList', () => {
  it('accepts a bare array or { streams }, sorted by id', () => {
    expect(parseStreamList([vod, live]).map((s) => s.id)).toEqual(['demo-live', 'demo-vod']);
    expect(parseStreamList({ streams: [live] })).toEqual([live]);
  });

  it('skips entries that do not match the protocol', () => {
    expect(parseStreamList([live, { id: 'BAD', url: 'x' }, 42])).toEqual([live]);
    expect(parseStreamList('nonsense')).toEqual([]);
  });
});

describe('fetchStreams', () => {
  it('reads GET /api/streams', async () => {
    const urls: string[] = [];
    const streams = await fetchStreams(async (url) => {
      urls.push(url);
      return new Response(JSON.stringify({ streams: [live] }), { status: 200 });
    });
    expect(urls).toEqual(['/api/streams']);
    expect(streams).toEqual([live]);
  });

  it('turns a failed request into a coordinator-unreachable error', async () => {
    const failing = fetchStreams(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(failing).rejects.toBeInstanceOf(PlayerError);
    await expect(failing).rejects.toMatchObject({ kind: 'coordinator-unreachable' });
    await expect(fetchStreams(async () => new Response('', { status: 502 }))).rejects.toThrow(/HTTP 502/);
  });
});

describe('unknownStreamMessage', () => {
  it('names the stream and the known ones', () => {
    expect(unknownStreamMessage('nope', [live, vod])).toBe(
      'No stream named "nope". Known streams: demo-live, demo-vod.',
    );
    expect(unknownStreamMessage('nope', [])).toBe('No stream named "nope". Known streams: none.');
  });
});

describe('fetchStream', () => {
  const answer =
    (status: number, body: unknown) =>
    async (url: string): Promise<Response> => {
      expect(url).toBe('/api/streams/demo-live');
      return new Response(JSON.stringify(body), { status });
    };

  it('returns the stream the API describes', async () => {
    expect(await fetchStream('demo-live', answer(200, { stream: live }))).toEqual(live);
  });

  it('returns null for an unknown stream, a malformed body or another stream', async () => {
    expect(await fetchStream('demo-live', answer(404, { code: 'not-found' }))).toBeNull();
    expect(await fetchStream('demo-live', answer(200, { stream: { id: 'demo-live' } }))).toBeNull();
    expect(await fetchStream('demo-live', answer(200, { stream: vod }))).toBeNull();
  });

  it('returns null when the API does not answer', async () => {
    const down = async (): Promise<Response> => {
      throw new TypeError('Failed to fetch');
    };
    expect(await fetchStream('demo-live', down)).toBeNull();
  });
});
