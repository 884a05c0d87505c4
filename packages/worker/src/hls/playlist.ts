import type { SegmentRef, StreamId } from '@p2pcdn/core';
import HLS from 'hls-parser';
import { WorkerError } from '../errors.ts';

// Lenient parsing (real playlists bend the spec), without hls-parser printing to the console.
HLS.setOptions({ silent: true });

type HlsPlaylist = ReturnType<typeof HLS.parse>;
type HlsMediaPlaylist = InstanceType<typeof HLS.types.MediaPlaylist>;
type HlsVariant = InstanceType<typeof HLS.types.Variant>;
type HlsByterange = { length: number; offset: number } | undefined;

/** One media segment of a media playlist, named the way every peer names it. */
export interface PlaylistSegment {
  ref: SegmentRef;
  /** The EXT-X-MAP initialisation segment it needs (fMP4), if any. */
  init: SegmentRef | undefined;
  /** Its media sequence number. */
  sequence: number;
  durationSec: number;
}

/** What a node needs from a media playlist. */
export interface MediaPlaylistView {
  url: string;
  /** No EXT-X-ENDLIST: the playlist grows and must be reloaded. */
  live: boolean;
  targetDurationSec: number;
  segments: PlaylistSegment[];
}

/** Parses playlist text, failing with a `playlist` {@link WorkerError}. */
export function parsePlaylist(text: string, url: string): HlsPlaylist {
  try {
    return HLS.parse(text);
  } catch (error) {
    throw new WorkerError('playlist', `${url} is not a valid HLS playlist`, { cause: error });
  }
}

/**
 * The variant a node follows: the highest bandwidth within `budgetKbps` (the bitrate the
 * coordinator plans upload for), else the lowest, so relays and headless viewers of one stream
 * pick the same rendition and share segments. I-frame-only variants are skipped.
 */
export function pickVariant(variants: readonly HlsVariant[], budgetKbps: number): HlsVariant | undefined {
  const usable = variants.filter((v) => !v.isIFrameOnly).sort((a, b) => a.bandwidth - b.bandwidth);
  const within = usable.filter((v) => v.bandwidth <= budgetKbps * 1000);
  return within.at(-1) ?? usable[0];
}

/**
 * Loads `url` and, if it is a master playlist, the chosen variant's media playlist. Returns the
 * media playlist's URL and parsed form.
 */
export async function loadMediaPlaylist(
  url: string,
  streamId: StreamId,
  budgetKbps: number,
  load: (url: string) => Promise<string>,
): Promise<MediaPlaylistView> {
  const playlist = parsePlaylist(await load(url), url);
  if (!playlist.isMasterPlaylist) return toView(playlist as HlsMediaPlaylist, url, streamId);
  const variant = pickVariant((playlist as { variants: HlsVariant[] }).variants, budgetKbps);
  if (!variant) throw new WorkerError('playlist', `${url} lists no playable variant`);
  const mediaUrl = new URL(variant.uri, url).href;
  const media = parsePlaylist(await load(mediaUrl), mediaUrl);
  if (media.isMasterPlaylist)
    throw new WorkerError('playlist', `${mediaUrl} is a master playlist, not a media one`);
  return toView(media as HlsMediaPlaylist, mediaUrl, streamId);
}

/** Reloads a media playlist at `url` (no variant selection). */
export async function reloadMediaPlaylist(
  url: string,
  streamId: StreamId,
  load: (url: string) => Promise<string>,
): Promise<MediaPlaylistView> {
  const playlist = parsePlaylist(await load(url), url);
  if (playlist.isMasterPlaylist) throw new WorkerError('playlist', `${url} turned into a master playlist`);
  return toView(playlist as HlsMediaPlaylist, url, streamId);
}

/** Converts a parsed media playlist into segment references with absolute URLs. */
export function toView(playlist: HlsMediaPlaylist, url: string, streamId: StreamId): MediaPlaylistView {
  const segments = playlist.segments.map((segment): PlaylistSegment => {
    const map = segment.map as { uri: string; byterange?: HlsByterange } | undefined;
    return {
      ref: ref(streamId, segment.uri, url, segment.byterange as HlsByterange),
      init: map ? ref(streamId, map.uri, url, map.byterange) : undefined,
      sequence: segment.mediaSequenceNumber,
      durationSec: segment.duration,
    };
  });
  return { url, live: !playlist.endlist, targetDurationSec: playlist.targetDuration || 2, segments };
}

function ref(streamId: StreamId, uri: string, base: string, byterange: HlsByterange): SegmentRef {
  const out: SegmentRef = { streamId, url: new URL(uri, base).href };
  if (byterange && byterange.length > 0) {
    const start = Math.max(0, byterange.offset);
    out.range = { start, end: start + byterange.length };
  }
  return out;
}
