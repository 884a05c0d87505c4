import { describe, expect, it } from 'vitest';
import { IntegrityError } from './errors.ts';
import { blameSegment, MisbehaviourTracker } from './misbehaviour.ts';

describe('MisbehaviourTracker', () => {
  it('drops a source from the pattern at its first bad block and evicts it at the third', () => {
    const tracker = new MisbehaviourTracker();
    expect(tracker.verdict('relay-1', 0)).toMatchObject({ action: 'none', score: 0, offences: 0 });
    expect(tracker.record('relay-1', 'bad-block', 1000)).toMatchObject({ action: 'drop', score: 1 });
    expect(tracker.record('relay-1', 'bad-block', 2000).action).toBe('drop');
    expect(tracker.record('relay-1', 'bad-segment', 3000)).toEqual({
      source: 'relay-1',
      action: 'evict',
      score: 3,
      offences: 3,
    });
    expect(tracker.verdict('relay-2', 3000).action).toBe('none');
  });

  it('weighs suspicion and protocol violations less than certain bad data', () => {
    const tracker = new MisbehaviourTracker();
    expect(tracker.record('a', 'suspect-segment', 0).action).toBe('none');
    expect(tracker.record('a', 'suspect-segment', 1).action).toBe('drop');
    for (let i = 0; i < 3; i++) tracker.record('b', 'protocol', i);
    expect(tracker.verdict('b', 3).action).toBe('none');
  });

  it('forgets offences older than the window', () => {
    const tracker = new MisbehaviourTracker({ windowMs: 1000, evictAt: 2 });
    tracker.record('a', 'bad-block', 0);
    expect(tracker.record('a', 'bad-block', 1500)).toMatchObject({ action: 'drop', offences: 1 });
    expect(tracker.record('a', 'bad-block', 1600).action).toBe('evict');
    expect(tracker.verdict('a', 5000)).toMatchObject({ action: 'none', offences: 0 });
    expect(tracker.offenders(5000)).toEqual([]);
  });

  it('takes custom thresholds and weights, lists offenders worst first and forgets on request', () => {
    const tracker = new MisbehaviourTracker({ dropAt: 2, evictAt: 4, weights: { protocol: 2 } });
    expect(tracker.record('x', 'bad-block', 0).action).toBe('none');
    expect(tracker.record('y', 'protocol', 0).action).toBe('drop');
    expect(tracker.offenders(1).map((v) => v.source)).toEqual(['y', 'x']);
    tracker.forget('y');
    expect(tracker.offenders(1).map((v) => v.source)).toEqual(['x']);
    expect(() => new MisbehaviourTracker({ dropAt: 3, evictAt: 2 })).toThrow(IntegrityError);
    expect(() => new MisbehaviourTracker({ windowMs: 0 })).toThrow(IntegrityError);
  });
});

describe('blameSegment', () => {
  const contributors = new Map([
    ['A', [0, 1, 5]],
    ['B', [2, 3]],
    ['C', [4]],
  ]);

  it('blames the senders of blocks that failed their own hashes', () => {
    expect(blameSegment(contributors, new Set([3]))).toEqual(new Map([['B', 'bad-block']]));
  });

  it('suspects every sender when only the whole segment failed', () => {
    expect(blameSegment(contributors)).toEqual(
      new Map([
        ['A', 'suspect-segment'],
        ['B', 'suspect-segment'],
        ['C', 'suspect-segment'],
      ]),
    );
  });

  it('is certain when a single source sent the whole segment', () => {
    expect(blameSegment(new Map([['A', [0, 1]]]), new Set())).toEqual(new Map([['A', 'bad-segment']]));
  });
});
