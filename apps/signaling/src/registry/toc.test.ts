import { describe, expect, it } from 'vitest';
import { TableOfContents } from './toc.ts';

describe('TableOfContents', () => {
  it('answers who holds a segment from have reports', () => {
    const toc = new TableOfContents();
    toc.update('live', 'a', ['s1', 's2'], []);
    toc.update('live', 'b', ['s2'], []);
    expect(toc.holders('live', 's2').sort()).toEqual(['a', 'b']);
    toc.update('live', 'a', [], ['s2']);
    expect(toc.holders('live', 's2')).toEqual(['b']);
    expect(toc.holders('vod', 's1')).toEqual([]);
    expect(toc.segmentCount('live')).toBe(2);
  });

  it('keeps at most the configured number of keys per node and stream, dropping the oldest', () => {
    const toc = new TableOfContents(2);
    toc.update('live', 'a', ['s1', 's2', 's3'], []);
    expect(toc.countOf('a', 'live')).toBe(2);
    expect(toc.holders('live', 's1')).toEqual([]);
    expect(toc.holders('live', 's3')).toEqual(['a']);
  });

  it('forgets a node or a stream entirely', () => {
    const toc = new TableOfContents();
    toc.update('live', 'a', ['s1'], []);
    toc.update('vod', 'a', ['v1'], []);
    toc.update('live', 'b', ['s1'], []);
    toc.dropNode('a');
    expect(toc.holders('live', 's1')).toEqual(['b']);
    expect(toc.holders('vod', 'v1')).toEqual([]);
    toc.dropStream('live');
    expect(toc.nodesOf('live')).toEqual([]);
    expect(toc.countOf('b', 'live')).toBe(0);
  });
});
