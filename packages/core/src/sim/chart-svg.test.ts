import { describe, expect, it } from 'vitest';
import { renderChart, ticks } from './chart-svg.ts';

describe('renderChart', () => {
  it('draws one polyline per series, on two axes, with a legend and escaped text', () => {
    const svg = renderChart({
      title: 'viewers & relays <sim>',
      x: [0, 1, 2, 3],
      xLabel: 'time (s)',
      leftLabel: 'viewers',
      rightLabel: 'relays',
      series: [
        { label: 'viewers', color: '#1f77b4', axis: 'left', values: [0, 100, 250, 400] },
        { label: 'relays', color: '#d62728', axis: 'right', values: [0, 2, 5, 8], dashed: true },
      ],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain('viewers &amp; relays &lt;sim&gt;');
    expect(svg).toContain('stroke-dasharray');
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });

  it('leaves a gap where a value is missing, and is a pure function of its input', () => {
    const spec = {
      title: 't',
      x: [0, 1, 2, 3, 4],
      xLabel: 'x',
      leftLabel: 'y',
      series: [{ label: 'a', color: 'black', axis: 'left' as const, values: [1, 2, Number.NaN, 3, 4] }],
    };
    const svg = renderChart(spec);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(renderChart(spec)).toBe(svg);
  });
});

describe('ticks', () => {
  it('picks round steps up to a round top', () => {
    expect(ticks(100_000)).toEqual({ top: 100_000, values: [0, 20_000, 40_000, 60_000, 80_000, 100_000] });
    expect(ticks(7).top).toBe(8);
    expect(ticks(0).values[0]).toBe(0);
  });
});
