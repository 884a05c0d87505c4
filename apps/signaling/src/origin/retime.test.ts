import { describe, expect, it } from 'vitest';
import { OriginError } from './errors.ts';
import { parseFragment, type TrackInfo } from './fmp4.ts';
import { retimeFragment, type RetimePlan } from './retime.ts';
import { box, concat, fullBox, uint } from './test-fixtures.ts';

const TRACKS: TrackInfo[] = [
  { trackId: 1, timescale: 90000, handler: 'vide', defaultSampleDuration: 3600 },
  { trackId: 2, timescale: 48000, handler: 'soun', defaultSampleDuration: 1024 },
];

function segment(videoTfdtVersion: 0 | 1, videoTfdt: number): Uint8Array {
  const trun = fullBox('trun', 0, 0, uint(1));
  return concat(
    fullBox('sidx', 0, 0, uint(1), uint(1000), uint(5), uint(0), uint(0)),
    box(
      'moof',
      fullBox('mfhd', 0, 0, uint(4)),
      box(
        'traf',
        fullBox('tfhd', 0, 0, uint(1)),
        fullBox('tfdt', videoTfdtVersion, 0, uint(videoTfdt, videoTfdtVersion ? 8 : 4)),
        trun,
      ),
      box('traf', fullBox('tfhd', 0, 0, uint(2)), fullBox('tfdt', 1, 0, uint(2048, 8)), trun),
    ),
    box('mdat', uint(0xdeadbeef)),
  );
}

const plan = (video: bigint, audio: bigint, sequenceShift = 0): RetimePlan => ({
  shifts: new Map([
    [1, video],
    [2, audio],
  ]),
  timescales: new Map(TRACKS.map((t) => [t.trackId, t.timescale])),
  sequenceShift,
});

describe('retime', () => {
  it('adds each track its own shift in v0 and v1 tfdt, moves mfhd, and leaves the rest alone', () => {
    const original = segment(0, 9000);
    const info = parseFragment(original, TRACKS);
    const moved = retimeFragment(original, info, plan(180000n, 96000n, 16));
    const after = parseFragment(moved, TRACKS);
    expect(after.trackFragments.map((t) => t.decodeTime.value)).toEqual([189000n, 98048n]);
    expect(after.sequenceNumbers.map((s) => s.value)).toEqual([20n]);
    expect(moved.length).toBe(original.length);
    expect(moved.subarray(-4)).toEqual(original.subarray(-4));
    expect(parseFragment(original, TRACKS).trackFragments[0]?.decodeTime.value).toBe(9000n);
  });

  it('converts the shift into the sidx timescale', () => {
    const original = segment(1, 0);
    const moved = retimeFragment(original, parseFragment(original, TRACKS), plan(180000n, 0n));
    // 180000 ticks at 90 kHz = 2 s = 2000 ticks at the sidx's 1 kHz, on top of 5.
    expect(parseFragment(moved, TRACKS).segmentIndexes[0]?.earliestPresentationTime.value).toBe(2005n);
  });

  it('throws timestamp-overflow when a version-0 tfdt would pass 2^32, and handles it in version 1', () => {
    const v0 = segment(0, 0xffff_f000);
    expect(() => retimeFragment(v0, parseFragment(v0, TRACKS), plan(0x1000n, 0n))).toThrow(OriginError);
    const v1 = segment(1, 0xffff_f000);
    const moved = retimeFragment(v1, parseFragment(v1, TRACKS), plan(0x1000n, 0n));
    expect(parseFragment(moved, TRACKS).trackFragments[0]?.decodeTime.value).toBe(0x1_0000_0000n);
  });

  it('wraps mfhd sequence numbers modulo 2^32', () => {
    const original = segment(1, 0);
    const moved = retimeFragment(original, parseFragment(original, TRACKS), plan(0n, 0n, 2 ** 32 - 4));
    expect(parseFragment(moved, TRACKS).sequenceNumbers[0]?.value).toBe(0n);
  });
});
