import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MEDIA_DIR } from './clip.ts';
import { OriginError } from './errors.ts';
import { childrenOf, findBoxes, findOneBox, fullBoxHeader, readBoxes } from './iso-bmff.ts';
import { box, concat, fullBox, uint } from './test-fixtures.ts';

const read = (name: string): Uint8Array => new Uint8Array(readFileSync(path.join(DEFAULT_MEDIA_DIR, name)));

describe('iso-bmff', () => {
  it('lists the top-level boxes of the committed init segment and covers every byte', () => {
    const init = read('init.mp4');
    const boxes = readBoxes(init);
    expect(boxes.map((b) => b.type)).toEqual(['ftyp', 'moov']);
    expect(boxes.at(-1)?.end).toBe(init.length);
    expect(findBoxes(init, ['moov', 'trak', 'mdia', 'mdhd'])).toHaveLength(2);
    expect(findBoxes(init, ['moov', 'mvex', 'trex'])).toHaveLength(2);
  });

  it('walks every committed media segment down to its track fragments', () => {
    for (let index = 0; index < 16; index += 1) {
      const segment = read(`seg-${index}.m4s`);
      const top = readBoxes(segment);
      expect(top.map((b) => b.type)).toEqual(['styp', 'sidx', 'sidx', 'moof', 'mdat']);
      expect(top.at(-1)?.end).toBe(segment.length);
      const moof = findOneBox(segment, ['moof']);
      expect(childrenOf(segment, moof).map((b) => b.type)).toEqual(['mfhd', 'traf', 'traf']);
      const tfdts = findBoxes(segment, ['moof', 'traf', 'tfdt']);
      expect(tfdts.map((b) => fullBoxHeader(segment, b).version)).toEqual([1, 1]);
    }
  });

  it('reads 64-bit sizes, size 0 (to the end) and uuid extended types', () => {
    const large = concat(uint(1), new TextEncoder().encode('free'), uint(20, 8), uint(7));
    const uuid = box('uuid', new Uint8Array(16), uint(1));
    const tail = concat(uint(0), new TextEncoder().encode('mdat'), new Uint8Array(5));
    const boxes = readBoxes(concat(large, uuid, tail));
    expect(boxes).toEqual([
      { type: 'free', start: 0, headerSize: 16, end: 20 },
      { type: 'uuid', start: 20, headerSize: 24, end: 48 },
      { type: 'mdat', start: 48, headerSize: 8, end: 61 },
    ]);
  });

  it('throws malformed-box for truncated headers and sizes past the end', () => {
    const bad = [new Uint8Array(5), box('free', new Uint8Array(4)).subarray(0, 10), concat(uint(4), uint(0))];
    for (const data of bad) {
      expect(() => readBoxes(data)).toThrow(OriginError);
      try {
        readBoxes(data);
      } catch (error) {
        expect((error as OriginError).kind).toBe('malformed-box');
      }
    }
  });

  it('reads FullBox version and flags, and insists on exactly one box in findOneBox', () => {
    const data = concat(fullBox('tfhd', 1, 0x020038, uint(2)), box('free'), box('free'));
    const [tfhd] = readBoxes(data);
    expect(tfhd && fullBoxHeader(data, tfhd)).toEqual({ version: 1, flags: 0x020038, fieldsStart: 12 });
    expect(() => findOneBox(data, ['free'])).toThrow(/expected one free, found 2/);
    expect(() => findOneBox(data, ['moov'])).toThrow(/found 0/);
  });
});
