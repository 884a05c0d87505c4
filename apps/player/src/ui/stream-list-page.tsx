import type { StreamInfo } from '@p2pcdn/core';
import { useEffect, useState } from 'react';
import { errorInfo, type PlayerErrorInfo } from '../page/player-error.ts';
import { fetchStreams } from '../page/streams-api.ts';
import { initialFigures } from '../stats/figures.ts';
import { publishFigures } from '../stats/publish.ts';
import { ErrorCard } from './message-card.tsx';

type ListState =
  | { status: 'loading' }
  | { status: 'ready'; streams: StreamInfo[] }
  | { status: 'error'; error: PlayerErrorInfo };

/** The page without `?stream=`: every stream the coordinator knows, each a link to watch it. */
export function StreamListPage() {
  const [state, setState] = useState<ListState>({ status: 'loading' });

  useEffect(() => {
    // Tests read the page's phase from here on every page, this one included.
    publishFigures(initialFigures(null, 'list', Date.now()));
    const abort = new AbortController();
    fetchStreams(fetch, abort.signal).then(
      (streams) => setState({ status: 'ready', streams }),
      (error: unknown) => {
        if (!abort.signal.aborted)
          setState({ status: 'error', error: errorInfo(error, 'coordinator-unreachable') });
      },
    );
    return () => abort.abort();
  }, []);

  if (state.status === 'error') return <ErrorCard error={state.error} streamsLink={false} />;
  return (
    <section className="panel stream-list" data-testid="stream-list" aria-busy={state.status === 'loading'}>
      <h2>Streams</h2>
      {state.status === 'loading' ? (
        <p className="empty">Loading streams…</p>
      ) : state.streams.length === 0 ? (
        <p className="empty">No streams are registered yet.</p>
      ) : (
        <ul>
          {state.streams.map((stream) => (
            <li key={stream.id}>
              <a
                href={`?stream=${encodeURIComponent(stream.id)}`}
                data-testid="stream-link"
                data-stream-id={stream.id}
              >
                <span className="stream-title">{stream.title || stream.id}</span>
                <span className="stream-meta">
                  {stream.live ? (
                    <span className="badge live">live</span>
                  ) : (
                    <span className="badge">on demand</span>
                  )}
                  <span className="mono">{stream.id}</span>
                  <span>{(stream.bitrateKbps / 1000).toFixed(1)} Mbit/s</span>
                </span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
