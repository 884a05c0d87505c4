import { MAX_SEGMENT_BYTES } from '@p2pcdn/core';
import createDebug from 'debug';
import { parse, setOptions, type types } from 'hls-parser';

const debug = createDebug('p2pcdn:signaling:probe');

// hls-parser prints parse problems to the console unless told otherwise.
setOptions({ silent: true });

/** Why a publisher's URL could not be used. */
export type ProbeErrorKind =
  'unreachable' | 'timeout' | 'not-hls' | 'too-large' | 'no-bitrate' | 'bad-manifest';

/** A probe failure; the message is a sentence for the publisher. */
export class ProbeError extends Error {
  override readonly name = 'ProbeError';

  constructor(
    readonly kind: ProbeErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** How a probe fetches. */
export interface ProbeOptions {
  fetch: typeof fetch;
  /** Deadline for the whole probe (playlists and segment sizes), ms. */
  timeoutMs: number;
  /** Largest playlist accepted, bytes. Default 2 MiB. */
  maxPlaylistBytes?: number;
  /** Segments sampled to estimate the bitrate. Default 3. */
  sampleSegments?: number;
}

/** What a probe found out. */
export interface ProbeResult {
  /** Estimated bitrate (kbit/s), when asked for. */
  bitrateKbps?: number;
  /** How the bitrate was estimated. */
  bitrateFrom?: 'bandwidth' | 'segments';
  /** A media playlist without `#EXT-X-ENDLIST`. */
  live: boolean;
}

/** A parsed master or media playlist. */
export type Playlist = types.MasterPlaylist | types.MediaPlaylist;

/**
 * Checks that `url` serves an HLS playlist and, if `estimateBitrate`, estimates the stream's
 * bitrate: the highest `BANDWIDTH` of a master playlist, or bytes over seconds of a few media
 * segments (sizes from byte ranges, `HEAD` or, failing that, a bounded `GET`).
 */
export async function probeStream(
  url: string,
  estimateBitrate: boolean,
  options: ProbeOptions,
): Promise<ProbeResult> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  const ctx: ProbeContext = { ...options, signal };
  const playlist = await fetchPlaylist(url, ctx);
  if (playlist.isMasterPlaylist) {
    const variants = playlist.variants.filter((v) => !v.isIFrameOnly);
    const first = variants[0];
    if (!first) throw new ProbeError('not-hls', `${url} is a master playlist without any variant`);
    const media = await fetchPlaylist(resolve(first.uri, url), ctx);
    if (media.isMasterPlaylist)
      throw new ProbeError('not-hls', `variant ${first.uri} of ${url} is another master playlist`);
    const live = !media.endlist;
    if (!estimateBitrate) return { live };
    const top = Math.max(...variants.map((v) => v.bandwidth || 0));
    if (top > 0) return { live, bitrateKbps: Math.ceil(top / 1000), bitrateFrom: 'bandwidth' };
    return {
      live,
      bitrateKbps: await fromSegments(media, resolve(first.uri, url), ctx),
      bitrateFrom: 'segments',
    };
  }
  const live = !playlist.endlist;
  if (!estimateBitrate) return { live };
  return { live, bitrateKbps: await fromSegments(playlist, url, ctx), bitrateFrom: 'segments' };
}

/** Resolves a playlist reference; only http(s) targets are followed. */
export function resolve(uri: string, base: string): string {
  let target: URL;
  try {
    target = new URL(uri, base);
  } catch (error) {
    throw new ProbeError('not-hls', `${base} refers to an invalid URI "${uri.slice(0, 100)}"`, {
      cause: error,
    });
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new ProbeError('not-hls', `${base} refers to ${target.protocol} URIs; only http(s) is supported`);
  }
  return target.href;
}

export interface ProbeContext extends ProbeOptions {
  signal: AbortSignal;
}

async function fromSegments(media: types.MediaPlaylist, base: string, ctx: ProbeContext): Promise<number> {
  const n = ctx.sampleSegments ?? 3;
  const segments = media.endlist ? media.segments.slice(0, n) : media.segments.slice(-n);
  if (segments.length === 0) throw new ProbeError('no-bitrate', `${base} lists no segments to measure`);
  let bytes = 0;
  let seconds = 0;
  for (const segment of segments) {
    bytes += segment.byterange
      ? segment.byterange.length
      : await segmentSize(resolve(segment.uri, base), ctx);
    seconds += segment.duration;
  }
  if (!(seconds > 0) || bytes <= 0)
    throw new ProbeError('no-bitrate', `could not estimate the bitrate of ${base}`);
  const kbps = Math.ceil((bytes * 8) / seconds / 1000);
  debug('%s: %d bytes over %d s: %d kbit/s', base, bytes, seconds, kbps);
  return Math.max(1, kbps);
}

async function segmentSize(url: string, ctx: ProbeContext): Promise<number> {
  const head = await request(url, 'HEAD', ctx);
  const length = Number(head.headers.get('content-length'));
  if (head.ok && Number.isInteger(length) && length > 0) return length;
  const res = await request(url, 'GET', ctx);
  if (!res.ok) throw new ProbeError('unreachable', `segment ${url} answered HTTP ${res.status}`);
  return (await readLimited(res, MAX_SEGMENT_BYTES, url)).byteLength;
}

/** Fetches and parses a playlist of at most `maxPlaylistBytes`; throws {@link ProbeError}. */
export async function fetchPlaylist(url: string, ctx: ProbeContext): Promise<Playlist> {
  const res = await request(url, 'GET', ctx);
  if (!res.ok) throw new ProbeError('unreachable', `${url} answered HTTP ${res.status}`);
  const bytes = await readLimited(res, ctx.maxPlaylistBytes ?? 2 * 1024 * 1024, url);
  const text = new TextDecoder().decode(bytes).replace(/^\uFEFF/, '');
  if (!text.trimStart().startsWith('#EXTM3U')) {
    throw new ProbeError('not-hls', `${url} is not an HLS playlist (it does not start with #EXTM3U)`);
  }
  try {
    return parse(text) as Playlist;
  } catch (error) {
    throw new ProbeError('not-hls', `${url} is not a valid HLS playlist: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

export async function request(url: string, method: 'GET' | 'HEAD', ctx: ProbeContext): Promise<Response> {
  try {
    return await ctx.fetch(url, { method, signal: ctx.signal, redirect: 'follow' });
  } catch (error) {
    if (ctx.signal.aborted) {
      throw new ProbeError('timeout', `${url} did not answer within ${ctx.timeoutMs} ms`, { cause: error });
    }
    const reason =
      error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : 'error';
    throw new ProbeError('unreachable', `could not fetch ${url}: ${reason}`, { cause: error });
  }
}

export async function readLimited(res: Response, limit: number, url: string): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel();
    throw new ProbeError('too-large', `${url} is larger than ${limit} bytes`);
  }
  const reader = res.body?.getReader();
  if (!reader) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel();
        throw new ProbeError('too-large', `${url} is larger than ${limit} bytes`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof ProbeError) throw error;
    throw new ProbeError('timeout', `reading ${url} failed or took longer than allowed`, { cause: error });
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
