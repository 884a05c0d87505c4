import type { StreamFigures, StreamInfo } from '@p2pcdn/core';
import { useMemo } from 'react';
import type uPlot from 'uplot';
import { formatBytes, formatKbps, formatShare } from '../format/format.ts';
import type { StreamHistory } from '../store/history.ts';
import { egressChartOptions, shareChartOptions } from './chart-options.ts';
import { UplotChart } from './uplot-chart.tsx';

/** Props of {@link StreamCard}. */
export interface StreamCardProps {
  stream: StreamInfo | undefined;
  figures: StreamFigures;
  history: StreamHistory | undefined;
  color: string;
}

/** Latest non-null value of a column. */
function latest(column: readonly (number | null)[] | undefined): number | null {
  if (!column) return null;
  for (let i = column.length - 1; i >= 0; i -= 1) {
    const v = column[i];
    if (v != null) return v;
  }
  return null;
}

/**
 * One stream's figures and charts.
 * Test ids: `figure-p2p-share-<streamId>`, `figure-origin-kbps-<streamId>`,
 * `figure-viewers-<streamId>`, `figure-relays-<streamId>`, `figure-origin-bytes-<streamId>` (when measured).
 */
export function StreamCard({ stream, figures, history, color }: StreamCardProps) {
  const id = figures.streamId;
  const shareOptions = useMemo(() => shareChartOptions(color), [color]);
  const egressOptions = useMemo(() => egressChartOptions(color), [color]);
  const shareData = useMemo<uPlot.AlignedData>(
    () => (history ? [history.t, history.p2pShare, history.intervalP2pShare] : [[], [], []]),
    [history],
  );
  const egressData = useMemo<uPlot.AlignedData>(
    () =>
      history
        ? [history.t, history.deliveredKbps, history.originKbps, history.originMeasuredKbps]
        : [[], [], [], []],
    [history],
  );
  const measuredKbps = latest(history?.originMeasuredKbps);
  // "Copies" of the stream the origin sends: the mission is to keep this near one.
  const copies = stream ? figures.originKbps / stream.bitrateKbps : null;

  return (
    <article className="card" style={{ borderTopColor: color }} aria-labelledby={`stream-${id}`}>
      <header className="card-head">
        <h3 id={`stream-${id}`}>{id}</h3>
        <span className={`badge ${stream?.live ? 'badge-live' : 'badge-vod'}`}>
          {stream?.live ? 'live' : 'vod'}
        </span>
        <span className="muted small" title={stream?.url}>
          {stream?.title} · {formatKbps(stream?.bitrateKbps)}
        </span>
      </header>
      <dl className="figures">
        <div className="figure big">
          <dt>P2P share</dt>
          <dd data-testid={`figure-p2p-share-${id}`}>{formatShare(figures.p2pShare)}</dd>
        </div>
        <div className="figure big">
          <dt title="Origin egress over the last interval, as peers report it">Origin egress</dt>
          <dd data-testid={`figure-origin-kbps-${id}`}>{formatKbps(figures.originKbps)}</dd>
          {copies !== null && (
            <span className="sub" title="Origin egress ÷ stream bitrate: how many copies the origin sends">
              {copies.toFixed(1)}× bitrate
            </span>
          )}
        </div>
        <div className="figure">
          <dt>Viewers</dt>
          <dd data-testid={`figure-viewers-${id}`}>{figures.viewers}</dd>
        </div>
        <div className="figure">
          <dt>Relays</dt>
          <dd data-testid={`figure-relays-${id}`}>{figures.relays}</dd>
        </div>
        <div className="figure">
          <dt title="Bytes viewers and relays received from peers / from the origin">P2P / HTTP</dt>
          <dd>
            {formatBytes(figures.p2pBytes)} / {formatBytes(figures.httpBytes)}
          </dd>
        </div>
        {figures.originMeasuredBytes !== undefined && (
          <div className="figure">
            <dt title="Bytes the origin itself counted">Origin measured</dt>
            <dd data-testid={`figure-origin-bytes-${id}`}>{formatBytes(figures.originMeasuredBytes)}</dd>
            {measuredKbps !== null && <span className="sub">{formatKbps(measuredKbps)}</span>}
          </div>
        )}
      </dl>
      <div className="charts">
        <UplotChart
          options={shareOptions}
          data={shareData}
          height={120}
          title="P2P share of viewers' bytes"
        />
        <UplotChart
          options={egressOptions}
          data={egressData}
          height={120}
          title="Origin egress vs total delivered (bit/s)"
        />
      </div>
    </article>
  );
}
