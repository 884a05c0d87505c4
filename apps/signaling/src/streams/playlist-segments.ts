import { segmentKey, type SegmentRef, type StreamId } from '@p2pcdn/core';
import type { types } from 'hls-parser';
import type { SequencedKey } from '../registry/sequence-index.ts';
import { fetchPlaylist, ProbeError, resolve, type ProbeOptions } from './probe.ts';

/** Variants of a master playlist read at most (I-frame-only ones are skipped). */
export const MAX_VARIANTS = 8;

/** The media segments a stream's playlist lists right now. */
export interface PlaylistSegments {
  /** No `#EXT-X-ENDLIST` in some variant: the playlist slides and must be read again. */
  live: boolean;
  /** `#EXT-X-TARGETDURATION` (the longest of the variants), ms. */
  targetDurationMs: number;
  /** Every media segment's key (as nodes derive it) and media sequence number. */
  segments: SequencedKey[];
}

/**
 * Reads a stream's playlist (and each variant's media playlist, up to {@link MAX_VARIANTS}) and
 * lists each media segment's key, derived exactly as nodes derive it (absolute URL, `#start-end`
 * for a byte range), with its media sequence number. Init segments carry no number and are left
 * out. Throws {@link ProbeError}.
 */
export async function readPlaylistSegments(
  url: string,
  streamId: StreamId,
  options: ProbeOptions,
): Promise<PlaylistSegments> {
  const ctx = { ...options, signal: AbortSignal.timeout(options.timeoutMs) };
  const top = await fetchPlaylist(url, ctx);
  const media: Array<{ playlist: types.MediaPlaylist; url: string }> = [];
  if (top.isMasterPlaylist) {
    const variants = top.variants.filter((v) => !v.isIFrameOnly).slice(0, MAX_VARIANTS);
    if (variants.length === 0)
      throw new ProbeError('not-hls', `${url} is a master playlist without any variant`);
    for (const variant of variants) {
      const variantUrl = resolve(variant.uri, url);
      const playlist = await fetchPlaylist(variantUrl, ctx);
      if (playlist.isMasterPlaylist)
        throw new ProbeError('not-hls', `variant ${variant.uri} of ${url} is another master playlist`);
      media.push({ playlist, url: variantUrl });
    }
  } else {
    media.push({ playlist: top, url });
  }
  const segments: SequencedKey[] = [];
  for (const m of media) {
    for (const segment of m.playlist.segments) {
      const ref: SegmentRef = { streamId, url: resolve(segment.uri, m.url) };
      const range = segment.byterange;
      if (range && range.length > 0) {
        const start = Math.max(0, range.offset);
        ref.range = { start, end: start + range.length };
      }
      segments.push({ key: segmentKey(ref), sequence: segment.mediaSequenceNumber });
    }
  }
  return {
    live: media.some((m) => !m.playlist.endlist),
    targetDurationMs: Math.max(...media.map((m) => (m.playlist.targetDuration || 2) * 1000)),
    segments,
  };
}
