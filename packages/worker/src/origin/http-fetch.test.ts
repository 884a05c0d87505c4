import { createCancelSource } from '@p2pcdn/core';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchBytes } from './http-fetch.ts';

const body = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/seg') {
      const range = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '');
      if (range) {
        const start = Number(range[1]);
        const end = Number(range[2]) + 1;
        res.writeHead(206, { 'content-length': end - start });
        res.end(body.subarray(start, end));
      } else {
        res.end(body);
      }
    } else if (url === '/no-range') {
      res.end(body);
    } else if (url === '/redirect-same') {
      res.writeHead(302, { location: '/seg' }).end();
    } else if (url === '/redirect-away') {
      res.writeHead(302, { location: 'http://10.255.255.1/secret' }).end();
    } else if (url === '/chunked-big') {
      res.write(Buffer.alloc(600));
      res.end(Buffer.alloc(600));
    } else if (url === '/slow') {
      setTimeout(() => res.end('late'), 2_000);
    } else {
      res.writeHead(404).end('nope');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const opts = { timeoutMs: 1_000, maxBytes: 1_000 };

describe('fetchBytes', () => {
  it('fetches a body and byte ranges (also from origins that ignore Range)', async () => {
    expect(await fetchBytes(`${base}/seg`, opts)).toEqual(new Uint8Array(body));
    const range = { start: 10, end: 20 };
    expect(await fetchBytes(`${base}/seg`, { ...opts, range })).toEqual(
      new Uint8Array(body.subarray(10, 20)),
    );
    expect(await fetchBytes(`${base}/no-range`, { ...opts, range })).toEqual(
      new Uint8Array(body.subarray(10, 20)),
    );
  });

  it('follows only the redirects it is allowed to', async () => {
    const sameOrigin = (url: URL) => url.origin === base;
    expect(await fetchBytes(`${base}/redirect-same`, { ...opts, allowRedirect: sameOrigin })).toHaveLength(
      1000,
    );
    await expect(fetchBytes(`${base}/redirect-same`, opts)).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(
      fetchBytes(`${base}/redirect-away`, { ...opts, allowRedirect: sameOrigin }),
    ).rejects.toMatchObject({
      kind: 'forbidden',
    });
  });

  it('enforces the size limit, from content-length or while reading', async () => {
    await expect(fetchBytes(`${base}/seg`, { ...opts, maxBytes: 999 })).rejects.toMatchObject({
      kind: 'too-large',
    });
    await expect(fetchBytes(`${base}/chunked-big`, opts)).rejects.toMatchObject({ kind: 'too-large' });
  });

  it('reports HTTP errors, timeouts and cancellation', async () => {
    await expect(fetchBytes(`${base}/missing`, opts)).rejects.toMatchObject({ kind: 'http', message: /404/ });
    await expect(fetchBytes(`${base}/slow`, { ...opts, timeoutMs: 50 })).rejects.toMatchObject({
      kind: 'timeout',
    });
    const cancel = createCancelSource();
    const pending = fetchBytes(`${base}/slow`, { ...opts, cancel: cancel.token });
    cancel.cancel();
    await expect(pending).rejects.toMatchObject({ kind: 'cancelled' });
  });
});
