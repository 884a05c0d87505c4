import { describe, expect, it } from 'vitest';
import { IntervalMeter } from './interval-meter.ts';
import { decodePattern } from './letters.ts';
import { SegmentAssembly, StreamReassembly, blockCount } from './reassembly.ts';
import { StripeSchedule } from './scheduler.ts';
import { StripeError } from './errors.ts';

const BLOCK = 4;
/** A segment whose byte i is i % 251, so any misplaced block shows. */
const segmentBytes = (size: number): Uint8Array => Uint8Array.from({ length: size }, (_, i) => i % 251);
const blockOf = (data: Uint8Array, index: number): Uint8Array =>
  data.subarray(index * BLOCK, Math.min(data.length, (index + 1) * BLOCK));
/** Deterministic shuffle (a linear congruential generator), so failures reproduce. */
const shuffled = <T>(items: readonly T[], seed: number): T[] => {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
};
/**
 * Arrivals as several ordered links deliver them: each source's blocks in its own order, the
 * sources' streams interleaved at random.
 */
const interleavedArrivals = (
  owners: Map<string, number[]>,
  seed: number,
): { seq: number; source: string }[] => {
  const queues = [...owners].map(([source, seqs]) => ({ source, seqs: [...seqs] }));
  const picks = shuffled(
    queues.flatMap((q) => q.seqs.map(() => q.source)),
    seed,
  );
  return picks.map((source) => {
    const queue = queues.find((q) => q.source === source);
    return { seq: queue?.seqs.shift() ?? -1, source };
  });
};

describe('SegmentAssembly', () => {
  const schedule = new StripeSchedule({ epoch: 0, startSeq: 100, pattern: decodePattern('AABCC') });
  const ownerOf = (seq: number) => schedule.ownerOf(seq);

  it('rebuilds a segment from three sources arriving in any interleaving', () => {
    const data = segmentBytes(61); // 16 blocks, the last one byte long
    for (const seed of [1, 2, 3, 42, 1234]) {
      const assembly = new SegmentAssembly({ baseSeq: 100, size: data.length, blockBytes: BLOCK, ownerOf });
      expect(assembly.blockCount).toBe(16);
      const owners = new Map(['A', 'B', 'C'].map((s) => [s, schedule.owedBy(s, 100, 116)]));
      for (const { seq, source } of interleavedArrivals(owners, seed)) {
        expect(assembly.accept(seq, blockOf(data, seq - 100), source)).toBe('accepted');
      }
      expect(assembly.complete).toBe(true);
      expect(assembly.bytes()).toEqual(data);
      expect(assembly.bySource().get('A')?.outOfSequence).toBe(0);
      expect(assembly.contributors()).toEqual(owners);
    }
  });

  it('logs a source that sends its blocks out of sequence', () => {
    const logged: [number, string, number | undefined][] = [];
    const data = segmentBytes(40);
    const assembly = new SegmentAssembly({
      baseSeq: 100,
      size: 40,
      blockBytes: BLOCK,
      ownerOf,
      onOutOfSequence: (seq, source, expected) => logged.push([seq, source, expected]),
    });
    assembly.accept(101, blockOf(data, 1), 'A'); // A owes 100 first
    assembly.accept(100, blockOf(data, 0), 'A'); // and then goes back
    assembly.accept(102, blockOf(data, 2), 'B'); // in order
    expect(logged).toEqual([
      [101, 'A', 100],
      [100, 'A', 105],
    ]);
    expect(assembly.bySource().get('A')?.outOfSequence).toBe(2);
    expect(assembly.bySource().get('B')?.outOfSequence).toBe(0);
  });

  it('discards duplicates by sequence number, whoever sends them', () => {
    const data = segmentBytes(20);
    const assembly = new SegmentAssembly({ baseSeq: 100, size: 20, blockBytes: BLOCK, ownerOf });
    expect(assembly.accept(100, blockOf(data, 0), 'A')).toBe('accepted');
    expect(assembly.accept(100, blockOf(data, 0), 'A')).toBe('duplicate');
    // Make-before-break: the same block over the new parent's path.
    expect(assembly.accept(100, new Uint8Array(BLOCK).fill(9), 'new-parent')).toBe('duplicate');
    expect(assembly.bySource().get('A')?.duplicates).toBe(1);
    expect(assembly.bySource().get('new-parent')).toMatchObject({ duplicates: 1, blocks: 0 });
    expect(assembly.contributors().get('A')).toEqual([100]);
  });

  it('refuses blocks outside the segment and blocks of the wrong length', () => {
    const assembly = new SegmentAssembly({ baseSeq: 100, size: 10, blockBytes: BLOCK, ownerOf });
    expect(assembly.accept(99, new Uint8Array(BLOCK), 'A')).toBe('out-of-range');
    expect(assembly.accept(103, new Uint8Array(BLOCK), 'C')).toBe('out-of-range');
    expect(assembly.accept(101.5, new Uint8Array(BLOCK), 'C')).toBe('out-of-range');
    expect(assembly.accept(100, new Uint8Array(BLOCK + 1), 'A')).toBe('bad-size');
    expect(assembly.accept(102, new Uint8Array(BLOCK), 'B')).toBe('bad-size'); // last block is 2 bytes
    expect(assembly.accept(102, new Uint8Array(2), 'B')).toBe('accepted');
    expect(assembly.missing().map((m) => m.seq)).toEqual([100, 101]);
  });

  it('reports missing blocks with the source that owed them, and which were skipped', () => {
    const data = segmentBytes(40); // blocks 100..109: A A B C C A A B C C
    const assembly = new SegmentAssembly({ baseSeq: 100, size: 40, blockBytes: BLOCK, ownerOf });
    for (const seq of [100, 101, 106]) assembly.accept(seq, blockOf(data, seq - 100), 'A'); // A skipped 105
    assembly.accept(103, blockOf(data, 3), 'C');
    expect(assembly.missing()).toEqual([
      { seq: 102, owedBy: 'B', skipped: false },
      { seq: 104, owedBy: 'C', skipped: false },
      { seq: 105, owedBy: 'A', skipped: true },
      { seq: 107, owedBy: 'B', skipped: false },
      { seq: 108, owedBy: 'C', skipped: false },
      { seq: 109, owedBy: 'C', skipped: false },
    ]);
    expect(assembly.missing(2)).toHaveLength(2);
    expect(() => assembly.bytes()).toThrow(StripeError);
  });

  it('completes after a source is lost mid-segment and its blocks are re-requested from the others', () => {
    const lossSchedule = new StripeSchedule({ epoch: 0, startSeq: 0, pattern: decodePattern('ABC') });
    const data = segmentBytes(48); // 12 blocks
    const assembly = new SegmentAssembly({
      baseSeq: 0,
      size: 48,
      blockBytes: BLOCK,
      ownerOf: (seq) => lossSchedule.ownerOf(seq),
    });
    // Everything up to block 5 arrives; then C's link drops with 2, 5, 8, 11 owed — 2 and 5 made it.
    for (const seq of [0, 1, 2, 3, 4, 5])
      assembly.accept(seq, blockOf(data, seq), lossSchedule.ownerOf(seq) ?? '');
    const lost = assembly.missing().filter((m) => m.owedBy === 'C');
    expect(lost.map((m) => m.seq)).toEqual([8, 11]);
    const moved = lossSchedule.reassign(
      'C',
      lost.map((m) => m.seq),
    );
    expect([...moved.values()].flat().sort((a, b) => a - b)).toEqual([8, 11]);
    // A and B send their own blocks and the moved ones; the segment completes without C.
    for (const source of ['A', 'B']) {
      for (const seq of lossSchedule.owedBy(source, 6, 12)) assembly.accept(seq, blockOf(data, seq), source);
    }
    expect(assembly.complete).toBe(true);
    expect(assembly.bytes()).toEqual(data);
    expect(assembly.missing()).toEqual([]);
  });

  it('handles an empty segment and refuses impossible ones', () => {
    const empty = new SegmentAssembly({ baseSeq: 0, size: 0, blockBytes: BLOCK, ownerOf });
    expect(empty.complete).toBe(true);
    expect(empty.bytes()).toEqual(new Uint8Array(0));
    expect(blockCount(33, 16)).toBe(3);
    expect(() => new SegmentAssembly({ baseSeq: 0, size: -1, blockBytes: BLOCK, ownerOf })).toThrow(
      StripeError,
    );
    expect(() => new SegmentAssembly({ baseSeq: 0, size: 10, blockBytes: 0, ownerOf })).toThrow(StripeError);
    expect(() => new SegmentAssembly({ baseSeq: 2 ** 32 - 1, size: 10, blockBytes: 4, ownerOf })).toThrow(
      /past the last sequence number/,
    );
  });
});

describe('StreamReassembly', () => {
  const schedule = new StripeSchedule({ epoch: 0, startSeq: 0, pattern: decodePattern('AABCC') });
  const ownerOf = (seq: number) => schedule.ownerOf(seq);
  const payload = (seq: number): Uint8Array => Uint8Array.of(seq & 0xff);

  it('hands blocks on in order however they arrive', () => {
    const stream = new StreamReassembly({ firstSeq: 0, ownerOf });
    const out: number[] = [];
    const owners = new Map(['A', 'B', 'C'].map((s) => [s, schedule.owedBy(s, 0, 50)]));
    for (const { seq, source } of interleavedArrivals(owners, 9)) {
      expect(stream.accept(seq, payload(seq), source)).toBe('accepted');
      out.push(...stream.takeReady().map((b) => b.seq));
    }
    expect(out).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(stream.nextSeq).toBe(50);
  });

  it('holds blocks after a gap until it is filled', () => {
    const stream = new StreamReassembly({ firstSeq: 10, ownerOf });
    stream.accept(11, payload(11), 'A');
    expect(stream.takeReady()).toEqual([]);
    expect(stream.missing()).toEqual([{ seq: 10, owedBy: 'A', skipped: true }]);
    stream.accept(10, payload(10), 'A');
    expect(stream.takeReady().map((b) => [b.seq, b.source])).toEqual([
      [10, 'A'],
      [11, 'A'],
    ]);
  });

  it('drops duplicates, including blocks already handed on', () => {
    const stream = new StreamReassembly({ firstSeq: 0, ownerOf });
    stream.accept(0, payload(0), 'A');
    stream.takeReady();
    expect(stream.accept(0, payload(0), 'B')).toBe('duplicate');
    stream.accept(2, payload(2), 'B');
    expect(stream.accept(2, payload(2), 'other-path')).toBe('duplicate');
    expect(stream.accept(-1, payload(0), 'A')).toBe('out-of-range');
  });

  it('refuses blocks too far ahead of the first missing one', () => {
    const stream = new StreamReassembly({ firstSeq: 0, ownerOf, window: 8 });
    expect(stream.accept(7, payload(7), 'C')).toBe('accepted');
    expect(stream.accept(8, payload(8), 'C')).toBe('out-of-window');
    expect(() => new StreamReassembly({ firstSeq: 0, ownerOf, window: 0 })).toThrow(StripeError);
  });

  it('feeds an interval meter whose report drives rebalance', () => {
    const meter = new IntervalMeter(1000);
    expect(meter.take(1000)).toBeNull();
    for (const seq of [0, 1, 5]) meter.record('A', seq, 16);
    meter.record('B', 2, 16);
    expect(meter.elapsed(1500)).toBe(500);
    expect(meter.take(2000)).toEqual({
      intervalMs: 1000,
      currentSeq: 5,
      sources: [
        { source: 'A', bytes: 48, blocks: 3, lastSeq: 5 },
        { source: 'B', bytes: 16, blocks: 1, lastSeq: 2 },
      ],
    });
    expect(meter.take(3000)).toEqual({ intervalMs: 1000, currentSeq: 5, sources: [] });
  });
});
