import { OriginError } from './errors.ts';
import {
  childrenOf,
  findBoxes,
  findOneBox,
  fullBoxHeader,
  readBoxes,
  requireInside,
  viewOf,
  type Box,
} from './iso-bmff.ts';

/** One track as the init segment (`moov`) describes it. */
export interface TrackInfo {
  /** `tkhd` track_ID, which `tfhd`, `trex` and `sidx` refer to. */
  readonly trackId: number;
  /** `mdhd` timescale: ticks per second of this track's decode times. */
  readonly timescale: number;
  /** `hdlr` handler type, e.g. `vide` or `soun`. */
  readonly handler: string;
  /** `trex` default_sample_duration, used when neither `trun` nor `tfhd` give one. */
  readonly defaultSampleDuration: number;
}

/** A number stored in a fragment, with where it sits so it can be rewritten in place. */
export interface NumberField {
  /** Absolute offset of the field in the fragment's buffer. */
  readonly offset: number;
  /** Field width. */
  readonly bits: 32 | 64;
  readonly value: bigint;
}

/** One `traf`: a run of one track's samples. */
export interface TrackFragment {
  readonly trackId: number;
  /** The `tfdt` baseMediaDecodeTime, in the track's timescale. */
  readonly decodeTime: NumberField;
  /** Sum of the fragment's sample durations, in the track's timescale. */
  readonly duration: bigint;
  readonly sampleCount: number;
}

/** One `sidx` (segment index) box. */
export interface SegmentIndex {
  /** The track (stream) it indexes. */
  readonly referenceId: number;
  readonly timescale: number;
  readonly earliestPresentationTime: NumberField;
}

/** What a media segment (`styp`/`sidx`/`moof`/`mdat`…) holds that matters for retiming. */
export interface FragmentInfo {
  /** Each `moof`'s `mfhd` sequence_number. */
  readonly sequenceNumbers: readonly NumberField[];
  /** Each `traf`, in file order. */
  readonly trackFragments: readonly TrackFragment[];
  readonly segmentIndexes: readonly SegmentIndex[];
}

const TFHD_BASE_DATA_OFFSET = 0x01;
const TFHD_SAMPLE_DESCRIPTION_INDEX = 0x02;
const TFHD_DEFAULT_SAMPLE_DURATION = 0x08;
const TRUN_DATA_OFFSET = 0x01;
const TRUN_FIRST_SAMPLE_FLAGS = 0x04;
const TRUN_SAMPLE_DURATION = 0x100;
const TRUN_SAMPLE_FIELDS = [0x100, 0x200, 0x400, 0x800];

function uint32(data: Uint8Array, box: Box, at: number): number {
  requireInside(box, at, 4);
  return viewOf(data).getUint32(at);
}

/** Reads a field that is 32 bits wide in version 0 and 64 bits wide in version 1. */
function versionedField(data: Uint8Array, box: Box, at: number, version: number): NumberField {
  if (version === 0) return { offset: at, bits: 32, value: BigInt(uint32(data, box, at)) };
  requireInside(box, at, 8);
  return { offset: at, bits: 64, value: viewOf(data).getBigUint64(at) };
}

function parseTrack(data: Uint8Array, trak: Box, trexDurations: ReadonlyMap<number, number>): TrackInfo {
  const tkhd = findOneBox(data, ['tkhd'], trak);
  const tkhdHeader = fullBoxHeader(data, tkhd);
  // creation_time and modification_time precede track_ID: 4 bytes each in v0, 8 in v1.
  const trackId = uint32(data, tkhd, tkhdHeader.fieldsStart + (tkhdHeader.version === 1 ? 16 : 8));
  const mdhd = findOneBox(data, ['mdia', 'mdhd'], trak);
  const mdhdHeader = fullBoxHeader(data, mdhd);
  const timescale = uint32(data, mdhd, mdhdHeader.fieldsStart + (mdhdHeader.version === 1 ? 16 : 8));
  if (timescale === 0) throw new OriginError('malformed-box', `track ${trackId} has timescale 0`);
  const hdlr = findOneBox(data, ['mdia', 'hdlr'], trak);
  const handlerAt = fullBoxHeader(data, hdlr).fieldsStart + 4; // after pre_defined
  requireInside(hdlr, handlerAt, 4);
  const handler = String.fromCharCode(...data.subarray(handlerAt, handlerAt + 4));
  return { trackId, timescale, handler, defaultSampleDuration: trexDurations.get(trackId) ?? 0 };
}

/** Reads the tracks of an fMP4 init segment (`ftyp` + `moov` with `mvex`). */
export function parseInit(data: Uint8Array): TrackInfo[] {
  const trexDurations = new Map<number, number>();
  for (const trex of findBoxes(data, ['moov', 'mvex', 'trex'])) {
    const { fieldsStart } = fullBoxHeader(data, trex);
    // track_ID, default_sample_description_index, default_sample_duration, …
    trexDurations.set(uint32(data, trex, fieldsStart), uint32(data, trex, fieldsStart + 8));
  }
  const tracks = findBoxes(data, ['moov', 'trak']).map((trak) => parseTrack(data, trak, trexDurations));
  if (tracks.length === 0) throw new OriginError('malformed-clip', 'the init segment has no tracks');
  return tracks;
}

function sampleDurationsSum(data: Uint8Array, trun: Box, defaultDuration: number): [bigint, number] {
  const { flags, fieldsStart } = fullBoxHeader(data, trun);
  const sampleCount = uint32(data, trun, fieldsStart);
  let at = fieldsStart + 4;
  if (flags & TRUN_DATA_OFFSET) at += 4;
  if (flags & TRUN_FIRST_SAMPLE_FLAGS) at += 4;
  const recordSize = 4 * TRUN_SAMPLE_FIELDS.filter((bit) => flags & bit).length;
  requireInside(trun, at, recordSize * sampleCount);
  if (!(flags & TRUN_SAMPLE_DURATION)) return [BigInt(defaultDuration) * BigInt(sampleCount), sampleCount];
  const view = viewOf(data);
  let total = 0n;
  for (let i = 0; i < sampleCount; i += 1) total += BigInt(view.getUint32(at + i * recordSize));
  return [total, sampleCount];
}

function parseTrackFragment(data: Uint8Array, traf: Box, tracks: readonly TrackInfo[]): TrackFragment {
  const tfhd = findOneBox(data, ['tfhd'], traf);
  const tfhdHeader = fullBoxHeader(data, tfhd);
  const trackId = uint32(data, tfhd, tfhdHeader.fieldsStart);
  const track = tracks.find((t) => t.trackId === trackId);
  if (!track) throw new OriginError('malformed-clip', `a fragment refers to unknown track ${trackId}`);
  let defaultDuration = track.defaultSampleDuration;
  let at = tfhdHeader.fieldsStart + 4;
  if (tfhdHeader.flags & TFHD_BASE_DATA_OFFSET) at += 8;
  if (tfhdHeader.flags & TFHD_SAMPLE_DESCRIPTION_INDEX) at += 4;
  if (tfhdHeader.flags & TFHD_DEFAULT_SAMPLE_DURATION) defaultDuration = uint32(data, tfhd, at);

  const tfdt = findOneBox(data, ['tfdt'], traf);
  const tfdtHeader = fullBoxHeader(data, tfdt);
  const decodeTime = versionedField(data, tfdt, tfdtHeader.fieldsStart, tfdtHeader.version);
  let duration = 0n;
  let sampleCount = 0;
  for (const trun of childrenOf(data, traf).filter((box) => box.type === 'trun')) {
    const [runDuration, runSamples] = sampleDurationsSum(data, trun, defaultDuration);
    duration += runDuration;
    sampleCount += runSamples;
  }
  return { trackId, decodeTime, duration, sampleCount };
}

function parseSegmentIndex(data: Uint8Array, sidx: Box): SegmentIndex {
  const { version, fieldsStart } = fullBoxHeader(data, sidx);
  const referenceId = uint32(data, sidx, fieldsStart);
  const timescale = uint32(data, sidx, fieldsStart + 4);
  const earliestPresentationTime = versionedField(data, sidx, fieldsStart + 8, version);
  return { referenceId, timescale, earliestPresentationTime };
}

/** Reads what retiming needs from a media segment, given the tracks of its init segment. */
export function parseFragment(data: Uint8Array, tracks: readonly TrackInfo[]): FragmentInfo {
  const top = readBoxes(data);
  const moofs = top.filter((box) => box.type === 'moof');
  if (moofs.length === 0) throw new OriginError('malformed-clip', 'a media segment has no moof');
  const sequenceNumbers = moofs.map((moof): NumberField => {
    const mfhd = findOneBox(data, ['mfhd'], moof);
    const at = fullBoxHeader(data, mfhd).fieldsStart;
    return { offset: at, bits: 32, value: BigInt(uint32(data, mfhd, at)) };
  });
  const trackFragments = moofs.flatMap((moof) =>
    findBoxes(data, ['traf'], moof).map((traf) => parseTrackFragment(data, traf, tracks)),
  );
  const segmentIndexes = top
    .filter((box) => box.type === 'sidx')
    .map((sidx) => parseSegmentIndex(data, sidx));
  return { sequenceNumbers, trackFragments, segmentIndexes };
}
