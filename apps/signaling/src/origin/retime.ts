import { OriginError } from './errors.ts';
import type { FragmentInfo, NumberField } from './fmp4.ts';
import { viewOf } from './iso-bmff.ts';

/** How to move one media segment along the timeline. */
export interface RetimePlan {
  /** Ticks to add to each track's decode times, by track_ID, in that track's own timescale. */
  readonly shifts: ReadonlyMap<number, bigint>;
  /** Each track's timescale by track_ID, to carry a shift into a `sidx` with another timescale. */
  readonly timescales: ReadonlyMap<number, number>;
  /** Added to every `mfhd` sequence_number (modulo 2^32). */
  readonly sequenceShift: number;
}

const UINT32_LIMIT = 1n << 32n;
const UINT64_LIMIT = 1n << 64n;

function write(view: DataView, field: NumberField, value: bigint, what: string): void {
  if (field.bits === 32) {
    if (value >= UINT32_LIMIT) {
      // Widening to 64 bits would move every later byte and every offset that points past it; a
      // clip's own timestamps stay far below 2^32, so only a stream left running for days gets here.
      throw new OriginError('timestamp-overflow', `${what} ${value} does not fit 32 bits`);
    }
    view.setUint32(field.offset, Number(value));
  } else {
    if (value >= UINT64_LIMIT) throw new OriginError('timestamp-overflow', `${what} ${value} overflows`);
    view.setBigUint64(field.offset, value);
  }
}

function shiftFor(plan: RetimePlan, trackId: number): bigint {
  const shift = plan.shifts.get(trackId);
  if (shift === undefined) throw new OriginError('malformed-clip', `no time shift for track ${trackId}`);
  return shift;
}

/**
 * Returns a copy of media segment `data` (described by `info`) moved along the timeline: every
 * `tfdt` baseMediaDecodeTime and `sidx` earliest_presentation_time gains its track's shift, and
 * every `mfhd` sequence_number gains `plan.sequenceShift`. Sizes and offsets do not change, so
 * `trun` data offsets stay valid. Throws `timestamp-overflow` if a version-0 field would overflow.
 */
export function retimeFragment(data: Uint8Array, info: FragmentInfo, plan: RetimePlan): Uint8Array {
  const copy = new Uint8Array(data);
  const view = viewOf(copy);
  for (const traf of info.trackFragments) {
    const value = traf.decodeTime.value + shiftFor(plan, traf.trackId);
    write(view, traf.decodeTime, value, `tfdt of track ${traf.trackId}`);
  }
  for (const sidx of info.segmentIndexes) {
    const shift = shiftFor(plan, sidx.referenceId);
    const trackTimescale = BigInt(plan.timescales.get(sidx.referenceId) ?? sidx.timescale);
    // Same timescale (what muxers write) is exact; otherwise round to the nearest sidx tick.
    const converted = (shift * BigInt(sidx.timescale) * 2n + trackTimescale) / (trackTimescale * 2n);
    const value = sidx.earliestPresentationTime.value + converted;
    write(view, sidx.earliestPresentationTime, value, `sidx of track ${sidx.referenceId}`);
  }
  for (const sequence of info.sequenceNumbers) {
    write(view, sequence, (sequence.value + BigInt(plan.sequenceShift)) % UINT32_LIMIT, 'mfhd');
  }
  return copy;
}
