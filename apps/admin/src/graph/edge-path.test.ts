import { describe, expect, it } from 'vitest';
import { busPath, roundedPath, smoothPath } from './edge-path.ts';

describe('edge-path', () => {
  it('is empty without points and a bare move with one', () => {
    expect(smoothPath([])).toBe('');
    expect(smoothPath([{ x: 1, y: 2 }])).toBe('M1,2');
  });

  it('draws a straight segment as a degenerate curve ending on the last point', () => {
    expect(
      smoothPath([
        { x: 0, y: 0 },
        { x: 0, y: 60 },
      ]),
    ).toBe('M0,0 C0,10 0,50 0,60');
  });

  it('passes through every routed point', () => {
    const d = smoothPath([
      { x: 0, y: 0 },
      { x: 30, y: 40 },
      { x: 30, y: 90 },
    ]);
    expect(d.startsWith('M0,0 C')).toBe(true);
    expect(d).toContain(' 30,40 C');
    expect(d.endsWith(' 30,90')).toBe(true);
  });
});

describe('edge-path roundedPath', () => {
  it('rounds each corner with a quadratic curve and ends on the last point', () => {
    const d = roundedPath([
      { x: 0, y: 0 },
      { x: 0, y: 20 },
      { x: 40, y: 20 },
      { x: 40, y: 50 },
    ]);
    expect(d).toBe('M0,0 L0,14 Q0,20 6,20 L34,20 Q40,20 40,26 L40,50');
  });

  it('shrinks the radius on short segments and skips zero-length ones', () => {
    expect(
      roundedPath([
        { x: 0, y: 0 },
        { x: 0, y: 4 },
        { x: 10, y: 4 },
      ]),
    ).toBe('M0,0 L0,2 Q0,4 2,4 L10,4');
    expect(
      roundedPath([
        { x: 0, y: 0 },
        { x: 0, y: 0 },
        { x: 5, y: 0 },
      ]),
    ).toBe('M0,0 L5,0');
  });
});

describe('edge-path busPath', () => {
  it('curves into the trunk, then follows it with rounded corners', () => {
    const d = busPath(
      [
        { x: 0, y: 0 },
        { x: 0, y: 60 },
        { x: 0, y: 80 },
        { x: 30, y: 80 },
        { x: 30, y: 100 },
      ],
      1,
    );
    expect(d).toBe('M0,0 C0,10 0,50 0,60 L0,74 Q0,80 6,80 L24,80 Q30,80 30,86 L30,100');
  });
});
