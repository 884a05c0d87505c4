import { describe, expect, it } from 'vitest';
import { LoadWatch, type LoadRequest } from './load-watch.ts';

const marks = { high: 0.8, low: 0.2 };
const CAPACITY = 10_000; // kbit/s

/** Feeds one sample a second at the given loads (share of capacity); returns what was asked when. */
function run(watch: LoadWatch, loads: number[], relay = true): Array<[number, LoadRequest]> {
  let bytes = 0;
  const asked: Array<[number, LoadRequest]> = [];
  watch.sample({ at: 0, uploadBytes: 0, streams: [] }, marks, CAPACITY, ['live'], relay);
  loads.forEach((load, i) => {
    bytes += (load * CAPACITY * 1000) / 8; // one second at `load`
    const at = (i + 1) * 1000;
    const request = watch.sample(
      { at, uploadBytes: bytes, streams: [{ streamId: 'live', uploadBytes: bytes }] },
      marks,
      CAPACITY,
      ['live'],
      relay,
    );
    if (request) asked.push([at, request]);
  });
  return asked;
}

describe('LoadWatch', () => {
  it('asks nothing before a window is full, then once when the load crosses the high mark', () => {
    const watch = new LoadWatch({ windowMs: 3000, retryMs: 10_000 });
    const asked = run(watch, [0.9, 0.9, 0.9, 0.9, 0.9, 0.9]);
    expect(asked).toEqual([[3000, { type: 'distribute', streamId: 'live', load: 0.9 }]]);
    expect(watch.load).toBeCloseTo(0.9, 6);
  });

  it('repeats a request only every retry interval while the load stays past the mark', () => {
    const watch = new LoadWatch({ windowMs: 2000, retryMs: 4000 });
    const asked = run(watch, Array<number>(12).fill(0.95));
    expect(asked.map(([at]) => at)).toEqual([2000, 6000, 10_000]);
  });

  it('needs the load back inside the band by a margin before a new crossing counts (hysteresis)', () => {
    const watch = new LoadWatch({ windowMs: 1000, retryMs: 60_000 });
    // Flapping around the mark: 0.81, 0.79, 0.81 … asks once; back to 0.5, then over: asks again.
    const asked = run(watch, [0.81, 0.79, 0.81, 0.79, 0.81, 0.5, 0.85]);
    expect(asked).toEqual([
      [1000, { type: 'distribute', streamId: 'live', load: 0.81 }],
      [7000, { type: 'distribute', streamId: 'live', load: 0.85 }],
    ]);
  });

  it('asks a relay under the low mark to consolidate, but never a viewer', () => {
    const relay = new LoadWatch({ windowMs: 2000, retryMs: 60_000 });
    expect(run(relay, [0.5, 0.5, 0.1, 0.1, 0.1, 0.1])).toEqual([
      [4000, { type: 'consolidate', streamId: 'live', load: 0.1 }],
    ]);
    const viewer = new LoadWatch({ windowMs: 2000, retryMs: 60_000 });
    expect(run(viewer, [0.1, 0.1, 0.1, 0.1], false)).toEqual([]);
  });

  it('picks the stream with the most upload to distribute and the least to consolidate', () => {
    const watch = new LoadWatch({ windowMs: 1000, retryMs: 0 });
    const streams = ['a', 'b'];
    watch.sample({ at: 0, uploadBytes: 0, streams: [] }, marks, CAPACITY, streams, true);
    const high = watch.sample(
      {
        at: 1000,
        uploadBytes: 1_125_000,
        streams: [
          { streamId: 'a', uploadBytes: 125_000 },
          { streamId: 'b', uploadBytes: 1_000_000 },
        ],
      },
      marks,
      CAPACITY,
      streams,
      true,
    );
    expect(high).toEqual({ type: 'distribute', streamId: 'b', load: 0.9 });
    const low = watch.sample(
      {
        at: 2000,
        uploadBytes: 1_250_000,
        streams: [
          { streamId: 'a', uploadBytes: 125_000 },
          { streamId: 'b', uploadBytes: 1_125_000 },
        ],
      },
      marks,
      CAPACITY,
      streams,
      true,
    );
    expect(low).toEqual({ type: 'consolidate', streamId: 'a', load: 0.1 });
  });
});
