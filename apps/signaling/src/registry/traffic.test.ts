import type { NodeStats } from '@p2pcdn/core';
import { describe, expect, it } from 'vitest';
import { applyStats, emptyTraffic } from './traffic.ts';

const stats = (over: Partial<NodeStats>): NodeStats => ({
  httpBytes: 0,
  p2pBytes: 0,
  uploadBytes: 0,
  links: [],
  ...over,
});

describe('applyStats', () => {
  it('derives kbit/s from cumulative counters between heartbeats', () => {
    const t = emptyTraffic();
    applyStats(t, stats({ p2pBytes: 1000, links: [{ peerId: 'p', bytesIn: 1000, bytesOut: 0 }] }), 0, [
      'live',
    ]);
    expect(t.downKbps).toBe(0); // no interval yet
    const deltas = applyStats(
      t,
      stats({
        p2pBytes: 251_000,
        uploadBytes: 125_000,
        links: [{ peerId: 'p', bytesIn: 251_000, bytesOut: 0 }],
      }),
      1000,
      ['live'],
    );
    expect(t.downKbps).toBe(2000);
    expect(t.upKbps).toBe(1000);
    expect(t.links.get('p')?.inKbps).toBe(2000);
    expect(deltas).toEqual([{ streamId: 'live', httpBytes: 0, p2pBytes: 250_000, uploadBytes: 125_000 }]);
  });

  it('treats a counter that went backwards as restarted', () => {
    const t = emptyTraffic();
    applyStats(t, stats({ httpBytes: 5000 }), 0, ['live']);
    const [delta] = applyStats(t, stats({ httpBytes: 100 }), 1000, ['live']);
    expect(delta?.httpBytes).toBe(100);
  });

  it('splits by the per-stream report, and attributes nothing for several streams without one', () => {
    const t = emptyTraffic();
    expect(applyStats(t, stats({ httpBytes: 10 }), 0, ['a', 'b'])).toEqual([]);
    const deltas = applyStats(
      t,
      stats({
        httpBytes: 30,
        streams: [
          { streamId: 'a', httpBytes: 5, p2pBytes: 0, uploadBytes: 0 },
          { streamId: 'b', httpBytes: 25, p2pBytes: 0, uploadBytes: 0 },
        ],
      }),
      1000,
      ['a', 'b'],
    );
    expect(deltas.map((d) => [d.streamId, d.httpBytes])).toEqual([
      ['a', 5],
      ['b', 25],
    ]);
  });

  it('uses the node totals for a node in one stream, even when its per-stream report says less', () => {
    const t = emptyTraffic();
    const deltas = applyStats(
      t,
      stats({ httpBytes: 900, streams: [{ streamId: 'a', httpBytes: 100, p2pBytes: 0, uploadBytes: 0 }] }),
      0,
      ['a'],
    );
    expect(deltas).toEqual([{ streamId: 'a', httpBytes: 900, p2pBytes: 0, uploadBytes: 0 }]);
  });

  it('measures upload over a window from the links’ bytesOut, across links that come and go', () => {
    const t = emptyTraffic(4000);
    const beat = (at: number, links: Array<[string, number]>): void => {
      applyStats(
        t,
        stats({ links: links.map(([peerId, bytesOut]) => ({ peerId, bytesIn: 0, bytesOut })) }),
        at,
        [],
      );
    };
    beat(0, [['a', 5_000_000]]); // sent before the first heartbeat: not a rate
    beat(1000, [['a', 5_250_000]]);
    beat(2000, [
      ['a', 5_500_000],
      ['b', 250_000], // a new child
    ]);
    beat(3000, [['b', 500_000]]); // a is gone: nothing counted for it
    beat(4000, [['b', 750_000]]);
    // 250 000 + 500 000 + 250 000 + 250 000 bytes over 4 s.
    expect(t.linkUpload.rate()).toEqual({ bytesPerSecond: 312_500, spanMs: 4000 });
    beat(8000, [['b', 750_000]]);
    expect(t.linkUpload.rate()).toEqual({ bytesPerSecond: 0, spanMs: 4000 });
  });
  it('keeps the striped pulls of the last heartbeat, for streams the node is in only', () => {
    const t = emptyTraffic();
    const pull = (streamId: string, pattern: string) => ({
      streamId,
      pattern,
      epoch: 1,
      sources: [{ peerId: 'p', letter: 'A', share: 1, bytesPerSecond: 1000, outOfSequence: 0 }],
    });
    applyStats(t, stats({ stripes: [pull('live', 'AAB'), pull('other', 'A'), pull('live', 'BBA')] }), 0, [
      'live',
    ]);
    expect([...t.pulls.keys()]).toEqual(['live']);
    expect(t.pulls.get('live')?.pattern).toBe('AAB');
    // A heartbeat without stripes: the node pulls nothing striped any more.
    applyStats(t, stats({}), 1000, ['live']);
    expect(t.pulls.size).toBe(0);
  });
});
