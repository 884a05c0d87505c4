import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** Props of {@link UplotChart}. */
export interface UplotChartProps {
  /** Options without size; the chart takes its container's width. Keep the object stable. */
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  height: number;
  /** Caption above the chart, also its accessible name. */
  title: string;
}

/** A uPlot chart that follows its container's width and redraws when `data` changes. */
export function UplotChart({ options, data, height, title }: UplotChartProps) {
  const hostRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<uPlot | null>(null);
  const dataRef = useRef(data);

  useEffect(() => {
    dataRef.current = data;
    plotRef.current?.setData(data);
  }, [data]);

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const plot = new uPlot(
      { ...options, width: Math.max(host.clientWidth, 100), height },
      dataRef.current,
      host,
    );
    plotRef.current = plot;
    const observer = new ResizeObserver(() => {
      plot.setSize({ width: Math.max(host.clientWidth, 100), height });
    });
    observer.observe(host);
    return () => {
      observer.disconnect();
      plot.destroy();
      plotRef.current = null;
    };
  }, [options, height]);

  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      {/* The data's shape on the host, for tests and for anyone inspecting the page. */}
      <div
        ref={hostRef}
        role="img"
        aria-label={title}
        data-series={data.length - 1}
        data-points={data[0]?.length ?? 0}
      />
    </figure>
  );
}
