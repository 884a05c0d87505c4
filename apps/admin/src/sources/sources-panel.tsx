/**
 * The sources panel: for the selected node, per stream, its striped-pull pattern (letters coloured
 * per source), each source's share bar, rate and out-of-sequence count, and the planned parents
 * per stripe it does not pull from (yet).
 *
 * Test ids: `sources-panel`, `sources-close`, `sources-stream-<streamId>`,
 * `sources-pattern-<streamId>`, `source-row-<streamId>-<peerId>`, `sources-waiting-<streamId>`.
 */
import { formatAgo, formatKbps, formatShare } from '../format/format.ts';
import { stripeColor } from '../forest/forest-style.ts';
import type { NodeSources, PullView, SourceView, StreamSources } from './node-sources.ts';

/** Props of {@link SourcesPanel}. */
export interface SourcesPanelProps {
  sources: NodeSources;
  /** Snapshot time, for how old the figures are. */
  now: number;
  onClose(): void;
  /** Shows another node's sources (a click on a source's name). */
  onSelect(nodeId: string): void;
}

function StripeDots({ stripes }: { stripes: readonly number[] }) {
  return (
    <>
      {stripes.map((s) => (
        <span key={s} className="stripe-tag" title={`carries stripe ${s} in the plan`}>
          <span className="stripe-dot" style={{ background: stripeColor(s) }} aria-hidden="true" />
          {s}
        </span>
      ))}
    </>
  );
}

function Pattern({ streamId, pull }: { streamId: string; pull: PullView }) {
  if (pull.pattern === '') return <p className="muted small">No pattern yet (probing the sources).</p>;
  const cut = pull.patternLength - pull.pattern.length;
  return (
    <div
      className="pattern"
      data-testid={`sources-pattern-${streamId}`}
      aria-label={`pattern ${pull.pattern}`}
    >
      {pull.runs.flatMap((run, r) =>
        Array.from({ length: run.length }, (_, i) => (
          <span key={`${r}-${i}`} className="pattern-cell" style={{ background: run.color }}>
            {run.letter}
          </span>
        )),
      )}
      {cut > 0 && <span className="muted small pattern-more">+{cut} more letters</span>}
    </div>
  );
}

function SourceRow({
  streamId,
  source,
  onSelect,
}: {
  streamId: string;
  source: SourceView;
  onSelect(nodeId: string): void;
}) {
  const planned = source.stripes.length > 0;
  return (
    <tr data-testid={`source-row-${streamId}-${source.peerId}`} className={planned ? undefined : 'unplanned'}>
      <td>
        <span className="source-letter" style={{ background: source.color }}>
          {source.letter || '–'}
        </span>
      </td>
      <td>
        <button type="button" className="link" onClick={() => onSelect(source.peerId)} title={source.peerId}>
          {source.name}
        </button>
        <span className="muted small"> {source.role}</span>
      </td>
      <td>
        {planned ? <StripeDots stripes={source.stripes} /> : <span className="muted small">not planned</span>}
      </td>
      <td className="share-cell">
        <span className="share-bar" aria-hidden="true">
          <span style={{ width: `${Math.min(100, source.share * 100)}%`, background: source.color }} />
        </span>
        <span className="num">{formatShare(source.share)}</span>
      </td>
      <td className="num">{formatKbps(source.kbps)}</td>
      <td className={`num${source.outOfSequence > 0 ? ' warn' : ''}`}>{source.outOfSequence}</td>
    </tr>
  );
}

function StreamBlock({
  stream,
  now,
  onSelect,
}: {
  stream: StreamSources;
  now: number;
  onSelect(nodeId: string): void;
}) {
  const { pull } = stream;
  const waiting = stream.parents.filter((p) => !p.pulling);
  return (
    <div className="sources-stream" data-testid={`sources-stream-${stream.streamId}`}>
      <h3>
        {stream.streamId}
        <span className="muted small">
          {stream.tier !== null && ` · tier ${stream.tier}`}
          {pull &&
            ` · pattern epoch ${pull.epoch} · ${pull.patternLength} letters · reported ${formatAgo(pull.reportedAt, now)}`}
        </span>
      </h3>
      {pull ? (
        <>
          <Pattern streamId={stream.streamId} pull={pull} />
          <table className="sources-table">
            <thead>
              <tr>
                <th scope="col">Letter</th>
                <th scope="col">Source</th>
                <th scope="col">Stripes</th>
                <th scope="col">Share of the pattern</th>
                <th scope="col" className="num">
                  Rate
                </th>
                <th scope="col" className="num" title="Blocks that arrived out of sequence so far">
                  Out of seq.
                </th>
              </tr>
            </thead>
            <tbody>
              {pull.sources.map((source) => (
                <SourceRow
                  key={source.peerId}
                  streamId={stream.streamId}
                  source={source}
                  onSelect={onSelect}
                />
              ))}
            </tbody>
            <tfoot>
              <tr>
                <td />
                <td colSpan={3} className="muted small">
                  {pull.sources.length} {pull.sources.length === 1 ? 'source' : 'sources'}
                </td>
                <td className="num">{formatKbps(pull.totalKbps)}</td>
                <td className="num">{pull.totalOutOfSequence}</td>
              </tr>
            </tfoot>
          </table>
        </>
      ) : (
        <p className="muted small">No striped pull reported for this stream.</p>
      )}
      {waiting.length > 0 && (
        <ul className="sources-waiting small" data-testid={`sources-waiting-${stream.streamId}`}>
          {waiting.map((p) => (
            <li key={`${p.stripe ?? '-'}-${p.from}`}>
              {p.stripe !== null && <StripeDots stripes={[p.stripe]} />} ← {p.name} ·{' '}
              {p.from.startsWith('origin:')
                ? `fetched over HTTP, ${formatKbps(p.kbps)}`
                : p.state === 'planned'
                  ? 'planned, link not confirmed yet'
                  : pull
                    ? `connected, not in the pattern yet · ${formatKbps(p.kbps)}`
                    : `connected · ${formatKbps(p.kbps)}`}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The selected node's sources and shares, per stream. */
export function SourcesPanel({ sources, now, onClose, onSelect }: SourcesPanelProps) {
  const { node } = sources;
  return (
    <div className="sources-panel" data-testid="sources-panel">
      <header className="sources-head">
        <h3>
          {node ? node.name || node.id : sources.nodeId}
          <span className="muted small">
            {' '}
            {sources.nodeId}
            {node &&
              ` · ${node.role}${node.region ? ` · ${node.region}` : ''} · ↓ ${formatKbps(node.downKbps)}`}
          </span>
        </h3>
        <button
          type="button"
          data-testid="sources-close"
          onClick={onClose}
          aria-label="Close the sources panel"
        >
          ×
        </button>
      </header>
      {!node && <p className="muted">This node has left.</p>}
      {node && sources.streams.length === 0 && (
        <p className="muted">Not in any stream tree: nothing pulled from peers.</p>
      )}
      {sources.streams.map((stream) => (
        <StreamBlock key={stream.streamId} stream={stream} now={now} onSelect={onSelect} />
      ))}
    </div>
  );
}
