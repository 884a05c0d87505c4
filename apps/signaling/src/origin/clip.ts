import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import createDebug from 'debug';
import { OriginError } from './errors.ts';
import { parseFragment, parseInit, type FragmentInfo, type TrackInfo } from './fmp4.ts';
import { retimeFragment } from './retime.ts';

const debug = createDebug('p2pcdn:origin:clip');

/** The committed sample clip (`apps/signaling/media/clip/`, made by `media/make-clip.sh`). */
export const DEFAULT_MEDIA_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../media/clip',
);

/** A track of the clip, with its extent over the whole clip. */
export interface ClipTrack extends TrackInfo {
  /** Decode time of the clip's first sample of this track, in the track's timescale. */
  readonly firstDecodeTime: bigint;
  /** From the first sample's decode time to the end of the last sample, in the track's timescale. */
  readonly duration: bigint;
}

/** One media segment of the clip (`seg-<index>.m4s`). */
export interface ClipSegment {
  readonly index: number;
  readonly data: Uint8Array;
  readonly info: FragmentInfo;
  /** Seconds, measured on the reference track (the first video track, else the first track). */
  readonly duration: number;
}

/** An fMP4 clip loaded into memory: `init.mp4` plus `seg-0.m4s` … `seg-<n-1>.m4s`. */
export interface Clip {
  readonly init: Uint8Array;
  readonly tracks: readonly ClipTrack[];
  readonly segments: readonly ClipSegment[];
  /** Number of `moof` boxes in the whole clip (how far `mfhd` numbers move per loop). */
  readonly fragmentCount: number;
}

const SEGMENT_NAME = /^seg-(\d+)\.m4s$/;

async function segmentFiles(dir: string): Promise<string[]> {
  const indexes = (await readdir(dir))
    .map((name) => SEGMENT_NAME.exec(name)?.[1])
    .filter((index): index is string => index !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  if (indexes.length === 0) throw new OriginError('malformed-clip', `no seg-N.m4s files in ${dir}`);
  indexes.forEach((index, position) => {
    if (index !== position) throw new OriginError('malformed-clip', `${dir} lacks seg-${position}.m4s`);
  });
  return indexes.map((index) => path.join(dir, `seg-${index}.m4s`));
}

function trackExtent(track: TrackInfo, infos: readonly FragmentInfo[]): ClipTrack {
  let first: bigint | undefined;
  let next: bigint | undefined;
  infos.forEach((info, segment) => {
    for (const traf of info.trackFragments.filter((t) => t.trackId === track.trackId)) {
      const start = traf.decodeTime.value;
      if (next !== undefined && start !== next) {
        throw new OriginError(
          'malformed-clip',
          `track ${track.trackId} jumps from ${next} to ${start} in segment ${segment}; looping needs a gapless clip`,
        );
      }
      first ??= start;
      next = start + traf.duration;
    }
  });
  if (first === undefined || next === undefined) {
    throw new OriginError('malformed-clip', `track ${track.trackId} has no samples`);
  }
  return { ...track, firstDecodeTime: first, duration: next - first };
}

function referenceTrack(tracks: readonly TrackInfo[]): TrackInfo {
  const [first] = tracks;
  if (!first) throw new OriginError('malformed-clip', 'no tracks');
  return tracks.find((track) => track.handler === 'vide') ?? first;
}

/**
 * Loads and checks the clip in `dir`: every segment must parse, and each track must run without
 * gaps from the first segment to the last (the live stream loops it). Throws `malformed-clip`.
 */
export async function loadClip(dir: string = DEFAULT_MEDIA_DIR): Promise<Clip> {
  const init = new Uint8Array(await readFile(path.join(dir, 'init.mp4')));
  const tracks = parseInit(init);
  const reference = referenceTrack(tracks);
  const files = await segmentFiles(dir);
  const segments = await Promise.all(
    files.map(async (file, index): Promise<ClipSegment> => {
      const data = new Uint8Array(await readFile(file));
      const info = parseFragment(data, tracks);
      const ticks = info.trackFragments
        .filter((traf) => traf.trackId === reference.trackId)
        .reduce((sum, traf) => sum + traf.duration, 0n);
      return { index, data, info, duration: Number(ticks) / reference.timescale };
    }),
  );
  const infos = segments.map((segment) => segment.info);
  const clipTracks = tracks.map((track) => trackExtent(track, infos));
  const seconds = clipTracks.map((track) => Number(track.duration) / track.timescale);
  if (Math.max(...seconds) - Math.min(...seconds) > 0.001) {
    // Each loop then moves the tracks apart by the difference; see make-clip.sh for how to avoid it.
    debug('tracks of %s last %o s: audio and video drift apart on every loop', dir, seconds);
  }
  const fragmentCount = infos.reduce((sum, info) => sum + info.sequenceNumbers.length, 0);
  debug('loaded %s: %d segments, tracks %o', dir, segments.length, clipTracks);
  return { init, tracks: clipTracks, segments, fragmentCount };
}

/** The clip segment that live sequence number `sequence` plays, and which loop it belongs to. */
export function loopPosition(clip: Clip, sequence: number): { loop: number; segment: ClipSegment } {
  const count = clip.segments.length;
  const segment = clip.segments[sequence % count];
  if (!Number.isSafeInteger(sequence) || sequence < 0 || segment === undefined) {
    throw new OriginError('out-of-range', `no live segment ${sequence}`);
  }
  return { loop: Math.floor(sequence / count), segment };
}

/**
 * The bytes of live segment `sequence`: clip segment `sequence mod n`, retimed so that loop `k`
 * starts exactly where loop `k-1` ended on every track (one continuous timeline, no discontinuity).
 */
export function loopedSegment(clip: Clip, sequence: number): Uint8Array {
  const { loop, segment } = loopPosition(clip, sequence);
  if (loop === 0) return segment.data;
  const big = BigInt(loop);
  return retimeFragment(segment.data, segment.info, {
    shifts: new Map(clip.tracks.map((track) => [track.trackId, big * track.duration])),
    timescales: new Map(clip.tracks.map((track) => [track.trackId, track.timescale])),
    sequenceShift: (loop * clip.fragmentCount) % 2 ** 32,
  });
}
