import { useAdmin } from '../store/admin-store.ts';
import { streamColor } from '../graph/graph-style.ts';
import { StreamCard } from './stream-card.tsx';

/** The "Figures" section: one card per stream with its numbers and charts. */
export function FiguresSection() {
  const snapshot = useAdmin((s) => s.snapshot);
  const histories = useAdmin((s) => s.histories);
  const streams = snapshot?.streams ?? [];
  const ids = streams.map((s) => s.id);
  return (
    <section id="figures" className="panel" aria-labelledby="figures-title">
      <header className="panel-head">
        <h2 id="figures-title">Figures</h2>
        <span className="muted small">per stream · charts cover the last 5 minutes</span>
      </header>
      {snapshot && snapshot.figures.length > 0 ? (
        <div className="cards">
          {snapshot.figures.map((figures) => (
            <StreamCard
              key={figures.streamId}
              stream={streams.find((s) => s.id === figures.streamId)}
              figures={figures}
              history={histories[figures.streamId]}
              color={streamColor(figures.streamId, ids)}
            />
          ))}
        </div>
      ) : (
        <p className="empty">{snapshot ? 'No streams registered.' : 'Waiting for the first snapshot…'}</p>
      )}
    </section>
  );
}
