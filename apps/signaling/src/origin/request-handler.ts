import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import createDebug from 'debug';
import { parseRange } from './byte-range.ts';
import type { OriginManifests } from './manifests.ts';
import type { OriginMedia } from './origin-media.ts';
import { sendBody } from './send-body.ts';
import type { BodyKind, OriginCounters, OriginStreamName } from './stats.ts';

const debug = createDebug('p2pcdn:origin:http');
const errorLog = createDebug('p2pcdn:origin:error');

const CORS_HEADERS: OutgoingHttpHeaders = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'Content-Length, Content-Range, Accept-Ranges, ETag',
  // Lets players on another origin read transfer sizes and timings from Resource Timing.
  'timing-allow-origin': '*',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';
const MEDIA_PATH = /^\/(live|vod)\/(index\.m3u8|init\.mp4|seg-(0|[1-9]\d{0,15})\.m4s)$/;
const MANIFEST_PATH = /^\/(live|vod)\/manifest\.json$/;

/** What the handler needs: the media and the counters it charges. */
export interface HandlerDeps {
  readonly media: OriginMedia;
  readonly counters: OriginCounters;
  /** The signed segment manifests served next to the playlists. */
  readonly manifests: OriginManifests;
}

function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: OutgoingHttpHeaders = {},
): void {
  const body = Buffer.from(text);
  res.writeHead(status, {
    ...CORS_HEADERS,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': body.length,
    ...headers,
  });
  res.end(body);
}

function sendJson(res: ServerResponse, value: unknown): void {
  sendText(res, 200, JSON.stringify(value), {
    'content-type': 'application/json',
    'cache-control': 'no-store',
  });
}

/** Sends `body` (or the requested byte range of it), charging what reaches the socket. */
function sendMedia(
  req: IncomingMessage,
  res: ServerResponse,
  body: Uint8Array,
  headers: OutgoingHttpHeaders,
  charge: (bytes: number) => void,
): void {
  const ranged = headers['accept-ranges'] === 'bytes';
  const range = ranged ? parseRange(req.headers.range, body.length) : { kind: 'full' as const };
  if (range.kind === 'unsatisfiable') {
    sendText(res, 416, 'range not satisfiable', { 'content-range': `bytes */${body.length}` });
    return;
  }
  const part = range.kind === 'partial' ? body.subarray(range.start, range.end + 1) : body;
  res.writeHead(range.kind === 'partial' ? 206 : 200, {
    ...CORS_HEADERS,
    ...headers,
    'content-length': part.length,
    ...(range.kind === 'partial'
      ? { 'content-range': `bytes ${range.start}-${range.end}/${body.length}` }
      : {}),
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  sendBody(res, part, charge);
}

function serveMedia(
  deps: HandlerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  stream: OriginStreamName,
  file: string,
  sequence: string | undefined,
): void {
  const { media, counters } = deps;
  counters.countRequest(stream);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendText(res, 405, 'method not allowed', { allow: 'GET, HEAD, OPTIONS' });
    return;
  }
  const charge = (kind: BodyKind) => (bytes: number) => counters.countBytes(stream, kind, bytes);
  if (file === 'index.m3u8') {
    const headers = {
      'content-type': 'application/vnd.apple.mpegurl',
      'cache-control': stream === 'live' ? 'no-cache' : 'public, max-age=300',
    };
    sendMedia(req, res, Buffer.from(media.playlist(stream)), headers, charge('playlist'));
    return;
  }
  const cacheable = { 'accept-ranges': 'bytes', 'cache-control': IMMUTABLE };
  if (file === 'init.mp4') {
    sendMedia(req, res, media.init(), { ...cacheable, 'content-type': 'video/mp4' }, charge('init'));
    return;
  }
  const lookup = media.segment(stream, Number(sequence));
  if (!lookup.found) {
    sendText(res, 404, lookup.reason, { 'cache-control': 'no-cache' });
    return;
  }
  if (req.method === 'GET') counters.countSegmentFetched(stream, Number(sequence), lookup.data.byteLength);
  sendMedia(req, res, lookup.data, { ...cacheable, 'content-type': 'video/iso.segment' }, charge('segment'));
}

/**
 * `manifest.json`: the signed manifest. Live: revalidated like the playlist (it changes when the
 * window slides); VOD: cacheable like the VOD playlist. The revision is the ETag.
 */
function serveManifest(
  deps: HandlerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  stream: OriginStreamName,
): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendText(res, 405, 'method not allowed', { allow: 'GET, HEAD, OPTIONS' });
    return;
  }
  deps.manifests.manifest(stream).then(
    (signed) => {
      if (res.destroyed) return;
      const body = Buffer.from(JSON.stringify(signed));
      const etag = `"${signed.signature.slice(0, 32)}"`;
      const headers: OutgoingHttpHeaders = {
        ...CORS_HEADERS,
        'content-type': 'application/json',
        'cache-control': stream === 'live' ? 'no-cache' : 'public, max-age=300',
        etag,
      };
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, headers);
        res.end();
        return;
      }
      res.writeHead(200, { ...headers, 'content-length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
    (error: unknown) => {
      errorLog('signing the %s manifest failed: %O', stream, error);
      if (!res.headersSent) sendText(res, 500, 'internal error');
      else res.destroy();
    },
  );
}

function route(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse): void {
  const { pathname } = new URL(req.url ?? '/', 'http://origin.invalid');
  if (req.method === 'OPTIONS') {
    res.writeHead(204, {
      ...CORS_HEADERS,
      'access-control-allow-methods': 'GET, HEAD, POST, OPTIONS',
      'access-control-allow-headers': 'Range, Content-Type',
      'access-control-max-age': '86400',
    });
    res.end();
    return;
  }
  const media = MEDIA_PATH.exec(pathname);
  const manifest = MANIFEST_PATH.exec(pathname);
  if (manifest) {
    serveManifest(deps, req, res, manifest[1] === 'live' ? 'live' : 'vod');
  } else if (media) {
    const [, stream, file, sequence] = media;
    serveMedia(deps, req, res, stream === 'live' ? 'live' : 'vod', file ?? '', sequence);
  } else if (pathname === '/stats' && (req.method === 'GET' || req.method === 'HEAD')) {
    sendJson(res, deps.counters.snapshot());
  } else if (pathname === '/stats/reset' && req.method === 'POST') {
    deps.counters.reset();
    sendJson(res, deps.counters.snapshot());
  } else if (pathname === '/stats' || pathname === '/stats/reset') {
    sendText(res, 405, 'method not allowed', { allow: pathname === '/stats' ? 'GET, HEAD' : 'POST' });
  } else {
    sendText(res, 404, `no such path: ${pathname}`);
  }
}

/** The demo origin's request listener for `node:http`. */
export function createRequestHandler(deps: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    debug('%s %s range=%s', req.method, req.url, req.headers.range ?? '-');
    try {
      route(deps, req, res);
    } catch (error) {
      errorLog('%s %s failed: %O', req.method, req.url, error);
      if (!res.headersSent) sendText(res, 500, 'internal error');
      else res.destroy();
    }
  };
}
