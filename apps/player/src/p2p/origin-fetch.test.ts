import { createCancelSource } from '@p2pcdn/core';
import { describe, expect, it } from 'vitest';
import { createOriginFetch, OriginError } from './origin-fetch.ts';

const URL_ = 'http://127.0.0.1:8081/vod/media.mp4';

describe('createOriginFetch', () => {
  it('fetches a whole segment', async () => {
    const fetchOrigin = createOriginFetch(async () => new Response(new Uint8Array([1, 2, 3])));
    const data = await fetchOrigin({ streamId: 'demo-vod', url: URL_ }, createCancelSource().token);
    expect([...data]).toEqual([1, 2, 3]);
  });

  it('asks for a byte range with an inclusive Range header', async () => {
    const seen: RequestInit[] = [];
    const fetchOrigin = createOriginFetch(async (_url, init) => {
      seen.push(init);
      return new Response(new Uint8Array([7, 8]), { status: 206 });
    });
    const data = await fetchOrigin(
      { streamId: 'demo-vod', url: URL_, range: { start: 10, end: 12 } },
      createCancelSource().token,
    );
    expect(seen[0]?.headers).toEqual({ Range: 'bytes=10-11' });
    expect([...data]).toEqual([7, 8]);
  });

  it('cuts the range out when the origin ignores Range', async () => {
    const fetchOrigin = createOriginFetch(async () => new Response(new Uint8Array([0, 1, 2, 3, 4])));
    const data = await fetchOrigin(
      { streamId: 'demo-vod', url: URL_, range: { start: 1, end: 3 } },
      createCancelSource().token,
    );
    expect([...data]).toEqual([1, 2]);
  });

  it('fails with the HTTP status, or as a network error', async () => {
    const notFound = createOriginFetch(async () => new Response('', { status: 404 }));
    await expect(
      notFound({ streamId: 'demo-vod', url: URL_ }, createCancelSource().token),
    ).rejects.toMatchObject({
      kind: 'status',
      status: 404,
    });
    const down = createOriginFetch(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(down({ streamId: 'demo-vod', url: URL_ }, createCancelSource().token)).rejects.toMatchObject(
      {
        kind: 'network',
      },
    );
  });

  it('aborts the request when cancelled', async () => {
    const cancel = createCancelSource();
    const fetchOrigin = createOriginFetch(
      (_url, init) =>
        new Promise((_resolve, reject) => {
          init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        }),
    );
    const pending = fetchOrigin({ streamId: 'demo-vod', url: URL_ }, cancel.token);
    cancel.cancel();
    await expect(pending).rejects.toBeInstanceOf(OriginError);
    await expect(pending).rejects.toMatchObject({ kind: 'cancelled' });
  });
});
