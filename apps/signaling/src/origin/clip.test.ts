import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MEDIA_DIR, loadClip, loopedSegment, loopPosition } from './clip.ts';
import { parseFragment } from './fmp4.ts';

const clip = await loadClip();
const count = clip.segments.length;

/** First decode time and end of each track in live segment `sequence`, by track id. */
function extent(sequence: number): Map<number, { start: bigint; end: bigint }> {
  const info = parseFragment(loopedSegment(clip, sequence), clip.tracks);
  const out = new Map<number, { start: bigint; end: bigint }>();
  for (const traf of info.trackFragments) {
    const start = out.get(traf.trackId)?.start ?? traf.decodeTime.value;
    out.set(traf.trackId, { start, end: traf.decodeTime.value + traf.duration });
  }
  return out;
}

describe('clip', () => {
  it('loads the committed clip: 16 segments of exactly 2 s, video and audio both exactly 32 s', () => {
    expect(count).toBe(16);
    expect(clip.segments.every((segment) => segment.duration === 2)).toBe(true);
    expect(clip.tracks.map((t) => [t.handler, t.timescale, t.firstDecodeTime, t.duration])).toEqual([
      ['vide', 12800, 0n, 32n * 12800n],
      ['soun', 48000, 0n, 32n * 48000n],
    ]);
    expect(clip.fragmentCount).toBe(16);
    const bytes = clip.segments.reduce((sum, segment) => sum + segment.data.length, clip.init.length);
    expect(bytes).toBeLessThan(5_000_000);
  });

  it("starts loop k's first segment exactly where loop k-1 ended, on every track", () => {
    for (const loop of [1, 2, 7, 1000]) {
      const before = extent(loop * count - 1);
      const after = extent(loop * count);
      for (const track of clip.tracks) {
        expect(after.get(track.trackId)?.start).toBe(before.get(track.trackId)?.end);
        expect(after.get(track.trackId)?.start).toBe(BigInt(loop) * track.duration);
      }
    }
  });

  it('keeps live segments contiguous within a loop and numbers their moofs upwards', () => {
    const sequences = Array.from({ length: 2 * count + 2 }, (_, i) => count - 1 + i);
    for (const sequence of sequences) {
      const now = extent(sequence);
      const next = extent(sequence + 1);
      for (const track of clip.tracks)
        expect(next.get(track.trackId)?.start).toBe(now.get(track.trackId)?.end);
    }
    const mfhd = (s: number) => parseFragment(loopedSegment(clip, s), clip.tracks).sequenceNumbers[0]?.value;
    expect(sequences.map(mfhd)).toEqual(sequences.map((s) => BigInt(s + 1)));
  });

  it('serves loop 0 as the clip itself and keeps sizes in every loop', () => {
    expect(loopedSegment(clip, 3)).toBe(clip.segments[3]?.data);
    expect(loopedSegment(clip, 3 + 5 * count).length).toBe(clip.segments[3]?.data.length);
    expect(loopPosition(clip, 37)).toMatchObject({ loop: 2, segment: { index: 5 } });
    expect(() => loopPosition(clip, -1)).toThrow(/no live segment/);
  });

  it('refuses a directory with a missing segment', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'p2pcdn-clip-'));
    try {
      for (const name of ['init.mp4', 'seg-0.m4s', 'seg-2.m4s']) {
        await writeFile(path.join(dir, name), await readFile(path.join(DEFAULT_MEDIA_DIR, name)));
      }
      await expect(loadClip(dir)).rejects.toThrow(/lacks seg-1\.m4s/);
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('refuses a clip whose tracks jump (it could not loop without a gap)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'p2pcdn-clip-'));
    try {
      for (const [from, to] of [
        ['init.mp4', 'init.mp4'],
        ['seg-0.m4s', 'seg-0.m4s'],
        ['seg-2.m4s', 'seg-1.m4s'],
      ] as const) {
        await writeFile(path.join(dir, to), await readFile(path.join(DEFAULT_MEDIA_DIR, from)));
      }
      await expect(loadClip(dir)).rejects.toThrow(/jumps/);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
