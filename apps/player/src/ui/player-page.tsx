import { useEffect, useRef } from 'react';
import { startSession, type WatchParams } from '../p2p/session.ts';
import type { PlayerPhase } from '../stats/figures.ts';
import { playerStore, usePlayer } from '../stats/player-store.ts';
import { ErrorCard, NoticeBar } from './message-card.tsx';
import { PeerTable } from './peer-table.tsx';
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

/** Watching one stream: the video, its delivery figures and the peers serving it. */
export function PlayerPage({ params }: { params: WatchParams }) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const error = usePlayer((s) => s.error);
  const notice = usePlayer((s) => s.notice);
  const phase = usePlayer((s) => s.figures.phase);
  const stream = usePlayer((s) => s.stream);
  // Figures of a session that never loaded a byte (unknown stream, no coordinator) say nothing.
  const showStats = usePlayer((s) => !s.error || s.figures.p2pBytes + s.figures.httpBytes > 0);

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    const session = startSession({ params, video, store: playerStore });
    return () => session.dispose();
  }, [params]);

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
          <h2>{stream ? stream.title || stream.id : params.streamId}</h2>
          {stream?.live && <span className="badge live">live</span>}
          <span className={`phase phase-${phase}`}>{PHASE_LABELS[phase]}</span>
        </div>
        {notice && !error && <NoticeBar notice={notice} />}
        {error && <ErrorCard error={error} />}
        <VideoSurface videoRef={videoRef} hidden={error !== null} />
      </div>
      {showStats && (
        <aside className="side">
          <StatsPanel />
          <PeerTable />
        </aside>
      )}
    </div>
  );
}
