import type { PlayerFigures } from '../stats/figures.ts';
import { IntegrityBadge } from './integrity-badge.tsx';
import { usePlayer } from './use-player.ts';
import { describeEntry, type TimelineEntry } from '../stats/startup-timeline.ts';
import { formatBytes, formatMs, formatSec, formatShare } from './format.ts';

/** One labelled figure; `value` is the raw number for tests (`data-value`). */
function Figure({
  label,
  testId,
  text,
  value,
  hint,
}: {
  label: string;
  testId: string;
  text: string;
  value?: number | string | null;
  hint?: string;
}) {
  return (
    <div className="figure" title={hint}>
      <dt>{label}</dt>
      <dd data-testid={testId} data-value={value ?? ''}>
        {text}
      </dd>
    </div>
  );
}

/** The P2P share as a headline with a bar split into peers and origin. */
function ShareBar({ figures }: { figures: PlayerFigures }) {
  const percent = Math.round(figures.p2pShare * 1000) / 10;
  return (
    <div className="share">
      <div className="share-head">
        <span className="share-label">P2P share</span>
        <span className="share-value" data-testid="stat-p2p-share" data-value={figures.p2pShare}>
          {formatShare(figures.p2pShare)}
        </span>
      </div>
      <div
        className={figures.p2pBytes + figures.httpBytes > 0 ? 'share-bar' : 'share-bar empty'}
        role="meter"
        aria-label="Share of segment bytes from peers"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
      >
        <div className="share-fill" style={{ transform: `scaleX(${percent / 100})` }} />
      </div>
      <div className="share-legend">
        <span>
          <i className="dot dot-p2p" /> peers{' '}
          <b data-testid="stat-p2p-bytes" data-value={figures.p2pBytes}>
            {formatBytes(figures.p2pBytes)}
          </b>
        </span>
        <span>
          <i className="dot dot-http" /> origin{' '}
          <b data-testid="stat-http-bytes" data-value={figures.httpBytes}>
            {formatBytes(figures.httpBytes)}
          </b>
        </span>
      </div>
    </div>
  );
}

/** The startup steps, collapsed by default: where the time to the first frame went. */
function TimelineDetails({ timeline }: { timeline: readonly TimelineEntry[] }) {
  if (timeline.length === 0) return null;
  return (
    <details className="timeline" data-testid="startup-timeline">
      <summary>Startup timeline</summary>
      <ol>
        {timeline.map((entry) => {
          const { label, atMs, detail } = describeEntry(entry);
          return (
            <li key={entry.step} data-step={entry.step} data-value={atMs}>
              <span className="timeline-at">{atMs} ms</span> {label}
              {detail && <span className="timeline-detail"> {detail}</span>}
            </li>
          );
        })}
      </ol>
    </details>
  );
}

/** Compact live figures: delivery, playback health and this node's place in the tree. */
export function StatsPanel() {
  const figures = usePlayer((s) => s.figures);
  return (
    <section className="panel stats" data-testid="stats-panel" aria-label="Delivery statistics">
      <ShareBar figures={figures} />
      <IntegrityBadge integrity={figures.integrity} />
      <dl className="figures">
        <Figure
          label="Uploaded"
          testId="stat-upload-bytes"
          text={formatBytes(figures.uploadBytes)}
          value={figures.uploadBytes}
          hint="Segment bytes this tab relayed to its children"
        />
        <Figure
          label="Buffer ahead"
          testId="stat-buffer"
          text={formatSec(figures.bufferSec)}
          value={figures.bufferSec}
        />
        <Figure
          label="Startup"
          testId="stat-startup"
          text={formatMs(figures.startupMs)}
          value={figures.startupMs}
          hint="From page start to the first frame"
        />
        <Figure label="Stalls" testId="stat-stalls" text={String(figures.stalls)} value={figures.stalls} />
        <Figure
          label="Played"
          testId="stat-played"
          text={formatSec(figures.playedSec)}
          value={figures.playedSec}
        />
        <Figure
          label="Segment"
          testId="stat-segment"
          text={figures.currentSegment ?? '—'}
          value={figures.currentSegment}
        />
        <Figure label="Node" testId="stat-node-id" text={figures.nodeId ?? '—'} value={figures.nodeId} />
        <Figure
          label="Parents"
          testId="stat-parents"
          text={
            figures.parents.length > 0 ? figures.parents.join(', ') : figures.originAllowed ? 'origin' : '—'
          }
          value={figures.parents.join(',')}
          hint="Nodes the coordinator assigned this tab to pull from"
        />
      </dl>
      <TimelineDetails timeline={figures.timeline} />
    </section>
  );
}
