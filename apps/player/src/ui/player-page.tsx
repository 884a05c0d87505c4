import { useEffect, useState } from 'react';
import type { SessionHandle } from '../p2p/session.ts';
import type { PlayerPhase } from '../stats/figures.ts';
import { usePlayer } from './use-player.ts';
import { ErrorCard, NoticeBar } from './message-card.tsx';
import { PeerTable } from './peer-table.tsx';
import { StripePanel } from './stripe-panel.tsx';
import { StatsPanel } from './stats-panel.tsx';
import { VideoSurface } from './video-surface.tsx';

/** The phase as the page header shows it. */
const PHASE_LABELS: Record<PlayerPhase, string> = {
  list: '',
  connecting: 'Connecting…',
  loading: 'Loading…',
  playing: 'Playing',
  error: 'Stopped',
};

/** How long the side panels may wait for the first frame before they are shown anyway, ms. */
const PANELS_DELAY_MS = 3000;

/** Watching one stream: the video, its delivery figures and the peers serving it. */
export function PlayerPage({ streamId, session }: { streamId: string; session: SessionHandle }) {
  const error = usePlayer((s) => s.error);
  const notice = usePlayer((s) => s.notice);
  const phase = usePlayer((s) => s.figures.phase);
  const stream = usePlayer((s) => s.stream);
  // Figures of a session that never loaded a byte (unknown stream, no coordinator) say nothing.
  const showStats = usePlayer((s) => !s.error || s.figures.p2pBytes + s.figures.httpBytes > 0);
  // The panels fill in once playback started (or after a moment): before the first frame their
  // figures are zeros, and rendering them would compete with the start for the main thread.
  const started = phase === 'playing' || phase === 'error';
  const [waited, setWaited] = useState(false);
  useEffect(() => {
    const timer = window.setTimeout(() => setWaited(true), PANELS_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, []);

  useEffect(() => {
    document.title = stream ? `${stream.title || stream.id} · p2pcdn` : 'p2pcdn player';
  }, [stream]);

  return (
    <div
      className={showStats ? 'player-page' : 'player-page solo'}
      data-testid="player-page"
      data-phase={phase}
    >
      <div className="stage">
        <div className="stage-head">
          <h2>{stream ? stream.title || stream.id : streamId}</h2>
          {stream?.live && <span className="badge live">live</span>}
          <span className={`phase phase-${phase}`}>{PHASE_LABELS[phase]}</span>
        </div>
        {notice && !error && <NoticeBar notice={notice} />}
        {error && <ErrorCard error={error} />}
        <VideoSurface video={session.video} hidden={error !== null} />
      </div>
      {showStats && (
        <aside className="side">
          {(started || waited) && (
            <>
              <StatsPanel />
              <StripePanel />
              <PeerTable />
            </>
          )}
        </aside>
      )}
    </div>
  );
}
