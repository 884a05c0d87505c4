import { describe, expect, it } from 'vitest';
import { parseRange } from './byte-range.ts';

describe('byte-range', () => {
  it('reads first-last, open-ended and suffix ranges, clamped to the body', () => {
    expect(parseRange('bytes=0-99', 1000)).toEqual({ kind: 'partial', start: 0, end: 99 });
    expect(parseRange('bytes=900-', 1000)).toEqual({ kind: 'partial', start: 900, end: 999 });
    expect(parseRange('bytes=900-5000', 1000)).toEqual({ kind: 'partial', start: 900, end: 999 });
    expect(parseRange('bytes=-100', 1000)).toEqual({ kind: 'partial', start: 900, end: 999 });
    expect(parseRange('bytes=-5000', 1000)).toEqual({ kind: 'partial', start: 0, end: 999 });
  });

  it('answers unsatisfiable past the end and for an empty suffix', () => {
    expect(parseRange('bytes=1000-', 1000)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-0', 1000)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  it('ignores absent, malformed, multi-range and other-unit headers', () => {
    for (const header of [undefined, 'bytes=5-1', 'bytes=-', 'bytes=0-1,5-6', 'items=0-1', 'bytes=a-b']) {
      expect(parseRange(header, 1000)).toEqual({ kind: 'full' });
    }
  });
});
