import { describe, expect, it } from 'vitest';
import { describeEntry, StartupTimeline } from './startup-timeline.ts';

describe('StartupTimeline', () => {
  it('records each step once, at the first time it happens, rounded to whole ms', () => {
    let now = 100.4;
    const timeline = new StartupTimeline(() => now);
    expect(timeline.mark('socket-connected')).toBe(true);
    now = 250;
    expect(timeline.mark('socket-connected')).toBe(false);
    expect(timeline.at('socket-connected')).toBe(100);
    expect(timeline.has('welcome')).toBe(false);
  });

  it('lists steps in time order whatever order they were recorded in', () => {
    let now = 0;
    const timeline = new StartupTimeline(() => now);
    now = 400;
    timeline.mark('manifest-loaded');
    timeline.mark('bundle-start', {}, 30);
    now = 300;
    timeline.mark('welcome');
    expect(timeline.list().map((e) => [e.step, e.atMs])).toEqual([
      ['bundle-start', 30],
      ['welcome', 300],
      ['manifest-loaded', 400],
    ]);
  });

  it('keeps where a segment came from and how long it took', () => {
    const timeline = new StartupTimeline(() => 900);
    timeline.mark('first-fragment', { source: 'p2p', peerId: 'relay-1', tookMs: 120.6 });
    expect(timeline.list()).toEqual([
      { step: 'first-fragment', atMs: 900, source: 'p2p', peerId: 'relay-1', tookMs: 121 },
    ]);
  });

  it('hands out copies, so callers cannot change what was recorded', () => {
    const timeline = new StartupTimeline(() => 5);
    timeline.mark('welcome');
    const [entry] = timeline.list();
    if (entry) entry.atMs = 99;
    expect(timeline.at('welcome')).toBe(5);
  });
});

describe('describeEntry', () => {
  it('gives a short label and the segment detail', () => {
    expect(describeEntry({ step: 'first-fragment', atMs: 900, source: 'http', tookMs: 80 })).toEqual({
      label: 'segment',
      atMs: 900,
      detail: 'http 80 ms',
    });
    expect(describeEntry({ step: 'welcome', atMs: 10 }).detail).toBe('');
  });
});
