import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MEDIA_DIR } from './clip.ts';
import { parseFragment, parseInit, type TrackInfo } from './fmp4.ts';
import { box, fullBox, uint } from './test-fixtures.ts';

const read = (name: string): Uint8Array => new Uint8Array(readFileSync(path.join(DEFAULT_MEDIA_DIR, name)));

const TRACKS: TrackInfo[] = [{ trackId: 7, timescale: 1000, handler: 'vide', defaultSampleDuration: 40 }];

describe('fmp4', () => {
  it('reads track ids, timescales, handlers and trex defaults from the committed init segment', () => {
    expect(parseInit(read('init.mp4'))).toEqual([
      { trackId: 1, timescale: 12800, handler: 'vide', defaultSampleDuration: 0 },
      { trackId: 2, timescale: 48000, handler: 'soun', defaultSampleDuration: 0 },
    ]);
  });

  it('reads decode times, durations and sidx of a committed segment', () => {
    const tracks = parseInit(read('init.mp4'));
    const info = parseFragment(read('seg-1.m4s'), tracks);
    expect(info.sequenceNumbers.map((s) => s.value)).toEqual([2n]);
    expect(
      info.trackFragments.map((t) => [t.trackId, t.decodeTime.value, t.duration, t.sampleCount]),
    ).toEqual([
      [1, 25600n, 25600n, 50],
      [2, 93184n, 96256n, 94],
    ]);
    expect(info.trackFragments.map((t) => t.decodeTime.bits)).toEqual([64, 64]);
    expect(info.segmentIndexes.map((s) => [s.referenceId, s.timescale])).toEqual([
      [1, 12800],
      [2, 48000],
    ]);
  });

  it('sums per-sample durations, falls back to tfhd then trex defaults, and reads version-0 tfdt', () => {
    const perSample = fullBox('trun', 0, 0x101, uint(3), uint(0), uint(10), uint(20), uint(30));
    const tfhdDefault = fullBox('trun', 0, 0x200, uint(2), uint(100), uint(100));
    const withTfhd = box(
      'traf',
      fullBox('tfhd', 0, 0x08, uint(7), uint(25)),
      fullBox('tfdt', 0, 0, uint(500)),
      tfhdDefault,
    );
    const withTrex = box(
      'traf',
      fullBox('tfhd', 0, 0, uint(7)),
      fullBox('tfdt', 0, 0, uint(600)),
      tfhdDefault,
    );
    const mixed = box('traf', fullBox('tfhd', 0, 0, uint(7)), fullBox('tfdt', 1, 0, uint(1, 8)), perSample);
    const moof = box('moof', fullBox('mfhd', 0, 0, uint(9)), withTfhd, withTrex, mixed);
    const info = parseFragment(moof, TRACKS);
    expect(info.trackFragments.map((t) => [t.decodeTime.value, t.decodeTime.bits, t.duration])).toEqual([
      [500n, 32, 50n],
      [600n, 32, 80n],
      [1n, 64, 60n],
    ]);
  });

  it('refuses fragments of unknown tracks and segments without moof', () => {
    const traf = box('traf', fullBox('tfhd', 0, 0, uint(8)), fullBox('tfdt', 0, 0, uint(0)));
    expect(() => parseFragment(box('moof', fullBox('mfhd', 0, 0, uint(1)), traf), TRACKS)).toThrow(
      /unknown track 8/,
    );
    expect(() => parseFragment(box('mdat'), TRACKS)).toThrow(/no moof/);
  });
});
