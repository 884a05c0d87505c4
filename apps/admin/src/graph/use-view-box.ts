import {
  useCallback,
  useEffect,
  useState,
  type PointerEvent as ReactPointerEvent,
  type RefObject,
} from 'react';

/** The visible part of the graph, in graph coordinates. */
export interface ViewBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Zoom factor of one button press or one wheel notch. */
const STEP = 1.25;

/** Scales `box` by `factor` around the point (`cx`, `cy`), keeping it within sane bounds. */
export function zoomViewBox(box: ViewBox, factor: number, cx: number, cy: number, content: ViewBox): ViewBox {
  const w = Math.min(Math.max(box.w * factor, 80), content.w * 3);
  const scale = w / box.w;
  const h = box.h * scale;
  return { x: cx - (cx - box.x) * scale, y: cy - (cy - box.y) * scale, w, h };
}

/** Graph units per screen pixel for an SVG drawn with `preserveAspectRatio="… meet"`. */
function unitsPerPixel(svg: SVGSVGElement, box: ViewBox): number {
  const rect = svg.getBoundingClientRect();
  if (rect.width === 0 || rect.height === 0) return 1;
  return Math.max(box.w / rect.width, box.h / rect.height);
}

/** What {@link useViewBox} gives the graph. */
export interface ViewBoxControls {
  viewBox: ViewBox;
  /** True while the whole graph is shown (it then follows the graph as it grows). */
  fitted: boolean;
  fit(): void;
  zoomIn(): void;
  zoomOut(): void;
  onPointerDown(event: ReactPointerEvent<SVGSVGElement>): void;
}

/**
 * Pan (drag) and zoom (buttons, Ctrl/⌘ + wheel or pinch) over an SVG by moving its viewBox.
 * Until the operator zooms or pans, the view fits the whole graph, however it grows.
 */
export function useViewBox(svgRef: RefObject<SVGSVGElement | null>, content: ViewBox): ViewBoxControls {
  const [manual, setManual] = useState<ViewBox | null>(null);
  const viewBox = manual ?? content;

  const zoomBy = useCallback(
    (factor: number) => {
      setManual((current) => {
        const box = current ?? content;
        return zoomViewBox(box, factor, box.x + box.w / 2, box.y + box.h / 2, content);
      });
    },
    [content],
  );

  useEffect(() => {
    const svg = svgRef.current;
    if (!svg) return;
    const onWheel = (event: WheelEvent) => {
      // Plain wheel scrolls the page; Ctrl/⌘ + wheel (and trackpad pinch) zooms the graph.
      if (!event.ctrlKey && !event.metaKey) return;
      event.preventDefault();
      const rect = svg.getBoundingClientRect();
      setManual((current) => {
        const box = current ?? content;
        const units = unitsPerPixel(svg, box);
        // Centre of the drawing inside the element (meet: it may be letterboxed).
        const offsetX = (rect.width - box.w / units) / 2;
        const cx = box.x + (event.clientX - rect.left - offsetX) * units;
        const cy = box.y + (event.clientY - rect.top) * units;
        return zoomViewBox(box, event.deltaY > 0 ? STEP : 1 / STEP, cx, cy, content);
      });
    };
    svg.addEventListener('wheel', onWheel, { passive: false });
    return () => svg.removeEventListener('wheel', onWheel);
  }, [svgRef, content]);

  const onPointerDown = useCallback(
    (event: ReactPointerEvent<SVGSVGElement>) => {
      if (event.button !== 0) return;
      const svg = event.currentTarget;
      const start = { x: event.clientX, y: event.clientY, box: viewBox };
      const units = unitsPerPixel(svg, viewBox);
      svg.setPointerCapture(event.pointerId);
      const onMove = (move: PointerEvent) => {
        const dx = (move.clientX - start.x) * units;
        const dy = (move.clientY - start.y) * units;
        if (Math.abs(dx) + Math.abs(dy) < 2) return;
        setManual({ ...start.box, x: start.box.x - dx, y: start.box.y - dy });
      };
      const onUp = () => {
        svg.removeEventListener('pointermove', onMove);
        svg.removeEventListener('pointerup', onUp);
        svg.removeEventListener('pointercancel', onUp);
      };
      svg.addEventListener('pointermove', onMove);
      svg.addEventListener('pointerup', onUp);
      svg.addEventListener('pointercancel', onUp);
    },
    [viewBox],
  );

  return {
    viewBox,
    fitted: manual === null,
    fit: () => setManual(null),
    zoomIn: () => zoomBy(1 / STEP),
    zoomOut: () => zoomBy(STEP),
    onPointerDown,
  };
}
