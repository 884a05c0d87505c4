import type { Point } from './graph-layout.ts';

const round = (n: number): number => Math.round(n * 10) / 10;

/**
 * An SVG path through `points` that bends smoothly (Catmull-Rom turned into cubic Béziers), so
 * dagre's routed edges read as curves instead of zig-zags.
 */
export function smoothPath(points: readonly Point[]): string {
  const first = points[0];
  if (!first) return '';
  if (points.length === 1) return `M${round(first.x)},${round(first.y)}`;
  let d = `M${round(first.x)},${round(first.y)}`;
  for (let i = 0; i < points.length - 1; i += 1) {
    const p0 = points[i - 1] ?? points[i]!;
    const p1 = points[i]!;
    const p2 = points[i + 1]!;
    const p3 = points[i + 2] ?? p2;
    const c1 = { x: p1.x + (p2.x - p0.x) / 6, y: p1.y + (p2.y - p0.y) / 6 };
    const c2 = { x: p2.x - (p3.x - p1.x) / 6, y: p2.y - (p3.y - p1.y) / 6 };
    d += ` C${round(c1.x)},${round(c1.y)} ${round(c2.x)},${round(c2.y)} ${round(p2.x)},${round(p2.y)}`;
  }
  return d;
}

/**
 * An SVG path along `points` with straight segments and corners rounded by up to `radius`,
 * for the orthogonal trunk-and-bus routes into leaf blocks.
 */
export function roundedPath(points: readonly Point[], radius = 6): string {
  const first = points[0];
  if (!first) return '';
  let d = `M${round(first.x)},${round(first.y)}`;
  for (let i = 1; i < points.length; i += 1) {
    const prev = points[i - 1]!;
    const corner = points[i]!;
    const next = points[i + 1];
    if (!next) {
      d += ` L${round(corner.x)},${round(corner.y)}`;
      break;
    }
    const inLength = Math.hypot(corner.x - prev.x, corner.y - prev.y);
    const outLength = Math.hypot(next.x - corner.x, next.y - corner.y);
    const r = Math.min(radius, inLength / 2, outLength / 2);
    if (r <= 0) continue;
    const before = {
      x: corner.x - ((corner.x - prev.x) / inLength) * r,
      y: corner.y - ((corner.y - prev.y) / inLength) * r,
    };
    const after = {
      x: corner.x + ((next.x - corner.x) / outLength) * r,
      y: corner.y + ((next.y - corner.y) / outLength) * r,
    };
    d += ` L${round(before.x)},${round(before.y)} Q${round(corner.x)},${round(corner.y)} ${round(after.x)},${round(after.y)}`;
  }
  return d;
}

/**
 * The path of a bus route: a smooth approach down to `points[bend]` (the top of the trunk), then
 * the orthogonal trunk, bus and drop with rounded corners.
 */
export function busPath(points: readonly Point[], bend: number): string {
  const approach = smoothPath(points.slice(0, bend + 1));
  const rest = roundedPath(points.slice(bend));
  const withoutMove = rest.replace(/^M[^ ]+/, '');
  return approach ? `${approach}${withoutMove}` : rest;
}
