/** One line of a chart. */
export interface ChartSeries {
  label: string;
  /** Any SVG colour. */
  color: string;
  /** Which y axis the line is read against. */
  axis: 'left' | 'right';
  /** One value per x; NaN leaves a gap. */
  values: readonly number[];
  dashed?: boolean;
}

/** A line chart with a shared x axis and up to two y axes. */
export interface ChartSpec {
  title: string;
  subtitle?: string;
  x: readonly number[];
  xLabel: string;
  leftLabel: string;
  rightLabel?: string;
  series: readonly ChartSeries[];
  width?: number;
  height?: number;
}

const MARGIN = { top: 64, right: 72, bottom: 48, left: 72 };
/** Lines are thinned to about this many points. */
const MAX_POINTS = 800;

/** Renders `spec` as a standalone SVG document (a pure function: same spec, same bytes). */
export function renderChart(spec: ChartSpec): string {
  const width = spec.width ?? 960;
  const height = spec.height ?? 420;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const xMax = Math.max(1e-9, ...spec.x);
  const xMin = Math.min(0, ...spec.x);
  const axisMax = (axis: 'left' | 'right'): number =>
    Math.max(
      1,
      ...spec.series.filter((s) => s.axis === axis).flatMap((s) => s.values.filter(Number.isFinite)),
    );
  const left = ticks(axisMax('left'));
  const right = ticks(axisMax('right'));
  const px = (x: number): number => MARGIN.left + ((x - xMin) / Math.max(1e-9, xMax - xMin)) * plotW;
  const py = (y: number, top: number): number => MARGIN.top + plotH - (y / top) * plotH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${MARGIN.left}" y="22" font-size="16" font-weight="600">${esc(spec.title)}</text>`,
  ];
  if (spec.subtitle) out.push(`<text x="${MARGIN.left}" y="40" fill="#555">${esc(spec.subtitle)}</text>`);
  for (const t of left.values) {
    const y = fmt(py(t, left.top));
    out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(
      `<text x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${num(t)}</text>`,
    );
  }
  if (spec.rightLabel) {
    for (const t of right.values) {
      const y = fmt(py(t, right.top));
      out.push(`<text x="${MARGIN.left + plotW + 6}" y="${y}" dominant-baseline="middle">${num(t)}</text>`);
    }
  }
  for (const t of ticks(xMax - xMin).values) {
    const x = fmt(px(xMin + t));
    out.push(
      `<line x1="${x}" x2="${x}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH + 4}" stroke="#333"/>`,
    );
    out.push(`<text x="${x}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${num(xMin + t)}</text>`);
  }
  out.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${height - 8}" text-anchor="middle">${esc(spec.xLabel)}</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${esc(spec.leftLabel)}</text>`,
  );
  if (spec.rightLabel) {
    out.push(
      `<text transform="translate(${width - 14} ${MARGIN.top + plotH / 2}) rotate(90)" text-anchor="middle">${esc(spec.rightLabel)}</text>`,
    );
  }
  const step = Math.max(1, Math.ceil(spec.x.length / MAX_POINTS));
  for (const s of spec.series) {
    const top = s.axis === 'left' ? left.top : right.top;
    const paths: string[] = [];
    let current: string[] = [];
    for (let i = 0; i < spec.x.length; i += step) {
      const v = s.values[i];
      const x = spec.x[i];
      if (v === undefined || x === undefined || !Number.isFinite(v)) {
        if (current.length > 1) paths.push(current.join(' '));
        current = [];
        continue;
      }
      current.push(`${fmt(px(x))},${fmt(py(v, top))}`);
    }
    if (current.length > 1) paths.push(current.join(' '));
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    for (const points of paths) {
      out.push(
        `<polyline fill="none" stroke="${esc(s.color)}" stroke-width="1.8"${dash} points="${points}"/>`,
      );
    }
  }
  let lx = MARGIN.left + 4;
  for (const s of spec.series) {
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    const label = `${s.label} (${s.axis === 'left' ? spec.leftLabel : (spec.rightLabel ?? '')})`;
    out.push(
      `<line x1="${lx}" x2="${lx + 18}" y1="54" y2="54" stroke="${esc(s.color)}" stroke-width="2"${dash}/>`,
      `<text x="${lx + 22}" y="54" dominant-baseline="middle">${esc(label)}</text>`,
    );
    lx += 30 + label.length * 6.5;
  }
  out.push('</svg>', '');
  return out.join('\n');
}

/** Round tick values from 0 to a round top at or above `max`. */
export function ticks(max: number): { top: number; values: number[] } {
  const raw = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw > 0 ? raw : 1));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const top = Math.max(step, Math.ceil(max / step - 1e-9) * step);
  const values: number[] = [];
  for (let v = 0; v <= top + step / 2; v += step) values.push(Number(v.toPrecision(12)));
  return { top, values };
}

function fmt(x: number): string {
  return (Math.round(x * 10) / 10).toString();
}

function num(x: number): string {
  if (Math.abs(x) >= 1e6) return `${Number((x / 1e6).toPrecision(3))}M`;
  if (Math.abs(x) >= 1e4) return `${Number((x / 1e3).toPrecision(3))}k`;
  return Number(x.toPrecision(4)).toString();
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
