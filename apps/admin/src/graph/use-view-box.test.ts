import { describe, expect, it } from 'vitest';
import { zoomViewBox } from './use-view-box.ts';

describe('use-view-box zoomViewBox', () => {
  const content = { x: 0, y: 0, w: 1000, h: 500 };

  it('zooms in around the given point, keeping it in place', () => {
    const box = zoomViewBox(content, 0.5, 250, 100, content);
    expect(box).toEqual({ x: 125, y: 50, w: 500, h: 250 });
  });

  it('does not zoom out beyond three times the content', () => {
    const box = zoomViewBox(content, 10, 500, 250, content);
    expect(box.w).toBe(3000);
    expect(box.h).toBe(1500);
  });

  it('does not zoom in below 80 graph units', () => {
    expect(zoomViewBox(content, 0.001, 0, 0, content).w).toBe(80);
  });
});
