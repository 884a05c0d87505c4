import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  manifestEntry,
  signManifest,
  STRIPE_DEFAULT_BLOCK_BYTES,
  type ManifestEntry,
  type SignedManifest,
  type SigningKeyPair,
  type StreamId,
} from '@p2pcdn/core';
import { parse, setOptions, type types } from 'hls-parser';
import { nodeCrypto } from './publisher-key.ts';

setOptions({ silent: true });

/** What {@link signPlaylist} signs. */
export interface SignPlaylistOptions {
  /** A media playlist: an http(s) URL, or a local file with `baseUrl` saying where it is served. */
  playlist: string;
  /** Public URL of the playlist when `playlist` is a local file (segment keys are absolute URLs). */
  baseUrl?: string;
  streamId: StreamId;
  key: SigningKeyPair;
  /** Manifest revision. Default: now in seconds (a re-signed live window gets a higher one). */
  seq?: number;
  /** Per-block hashes for this block size. Default the striping default. */
  blockBytes?: number;
  fetch?: typeof fetch;
}

/**
 * Signs a manifest for a publisher's own HLS media playlist: reads the playlist and every
 * segment it lists (and its init segment), keyed by the absolute URLs players resolve.
 */
export async function signPlaylist(options: SignPlaylistOptions): Promise<SignedManifest> {
  const doFetch = options.fetch ?? fetch;
  const remote = /^https?:\/\//i.test(options.playlist);
  if (!remote && !options.baseUrl) throw new Error('a local playlist needs --base-url (where it is served)');
  const publicUrl = remote ? options.playlist : (options.baseUrl ?? '');
  const read = async (url: string): Promise<Uint8Array> => {
    if (remote) {
      const res = await doFetch(url);
      if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    }
    // Local: the file beside the playlist with the same relative path as the URL.
    const relative = decodeURIComponent(new URL(url).pathname).slice(
      path.posix.dirname(new URL(publicUrl).pathname).length,
    );
    return new Uint8Array(await readFile(path.join(path.dirname(options.playlist), relative)));
  };
  const text = remote
    ? new TextDecoder().decode(await read(options.playlist))
    : await readFile(options.playlist, 'utf8');
  const playlist = parse(text) as types.MasterPlaylist | types.MediaPlaylist;
  if (playlist.isMasterPlaylist) throw new Error('sign a media playlist (each variant separately)');
  const entries: ManifestEntry[] = [];
  const seen = new Set<string>();
  const blockBytes = options.blockBytes ?? STRIPE_DEFAULT_BLOCK_BYTES;
  const add = async (
    uri: string,
    range: { offset?: number; length: number } | undefined,
    sequence?: number,
  ) => {
    const url = new URL(uri, publicUrl).href;
    const whole = await read(url);
    const start = range?.offset ?? 0;
    const data = range ? whole.subarray(start, start + range.length) : whole;
    const key = range ? `${url}#${start}-${start + range.length}` : url;
    if (seen.has(key)) return;
    seen.add(key);
    entries.push(
      await manifestEntry(key, data, nodeCrypto, { blockBytes, ...(sequence !== undefined && { sequence }) }),
    );
  };
  for (const segment of playlist.segments) {
    if (segment.map) await add(segment.map.uri, segment.map.byterange);
    await add(segment.uri, segment.byterange, segment.mediaSequenceNumber);
  }
  return signManifest(
    {
      version: 1,
      streamId: options.streamId,
      seq: options.seq ?? Math.floor(Date.now() / 1000),
      issuedAt: Date.now(),
      entries,
    },
    options.key.privateKey,
    nodeCrypto,
    options.key.publicKey,
  );
}
