import { describe, expect, it } from 'vitest';
import { SequenceIndex } from './sequence-index.ts';

const seg = (variant: string, n: number) => ({ key: `http://o/${variant}/seg-${n}.m4s`, sequence: n });

describe('SequenceIndex', () => {
  it('maps keys to sequence numbers and back, one key per variant', () => {
    const index = new SequenceIndex();
    index.record('live', [seg('hi', 7), seg('hi', 8), seg('lo', 7)]);
    expect(index.sequenceOf('live', 'http://o/hi/seg-8.m4s')).toBe(8);
    expect(index.keysAt('live', 7)).toEqual(['http://o/hi/seg-7.m4s', 'http://o/lo/seg-7.m4s']);
    expect(index.keysAt('live', 9)).toEqual([]);
    expect(index.keysAt('vod', 7)).toEqual([]);
    expect(index.range('live')).toEqual({ first: 7, last: 8, segments: 2 });
    expect(index.range('vod')).toBeUndefined();
  });

  it('keeps what a sliding playlist showed, dropping the lowest numbers beyond its bound', () => {
    const index = new SequenceIndex(3);
    index.record('live', [seg('a', 10), seg('a', 11)]);
    index.record('live', [seg('a', 11), seg('a', 12)]);
    index.record('live', [seg('a', 12), seg('a', 13)]);
    expect(index.range('live')).toEqual({ first: 11, last: 13, segments: 3 });
    expect(index.sequenceOf('live', seg('a', 10).key)).toBeUndefined();
    // Out of order (a restarted publisher) still sorts, and is bounded the same way.
    index.record('live', [seg('a', 5)]);
    expect(index.range('live')).toEqual({ first: 11, last: 13, segments: 3 });
  });

  it('moves a key the playlist renumbered, and ignores numbers that are not sequence numbers', () => {
    const index = new SequenceIndex();
    index.record('live', [{ key: 'k', sequence: 1 }]);
    index.record('live', [{ key: 'k', sequence: 4 }]);
    expect(index.keysAt('live', 1)).toEqual([]);
    expect(index.range('live')).toEqual({ first: 4, last: 4, segments: 1 });
    index.record('live', [
      { key: 'x', sequence: -1 },
      { key: 'y', sequence: 1.5 },
      { key: 'z', sequence: Number.MAX_SAFE_INTEGER + 2 },
    ]);
    expect(index.range('live')?.segments).toBe(1);
  });

  it('bounds the keys of one sequence number and forgets a stream', () => {
    const index = new SequenceIndex(10, 2);
    index.record('live', [seg('a', 1), seg('b', 1), seg('c', 1)]);
    expect(index.keysAt('live', 1)).toHaveLength(2);
    expect(index.sequenceOf('live', seg('c', 1).key)).toBeUndefined();
    index.drop('live');
    expect(index.range('live')).toBeUndefined();
  });
});
