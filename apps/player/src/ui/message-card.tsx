import type { PlayerErrorInfo } from '../page/player-error.ts';

/** Titles per error kind, shown above the sentence. */
const TITLES: Record<PlayerErrorInfo['kind'], string> = {
  unsupported: 'This browser cannot play the stream',
  'bad-request': 'This link is not quite right',
  'coordinator-unreachable': 'Cannot reach the coordinator',
  'join-refused': 'The coordinator refused this viewer',
  'unknown-stream': 'Unknown stream',
  'origin-unreachable': "Cannot reach the stream's origin",
  media: 'Playback failed',
};

/** Errors a reload cannot fix: the link itself names the wrong thing. */
const LINK_ERRORS: ReadonlySet<PlayerErrorInfo['kind']> = new Set([
  'bad-request',
  'unknown-stream',
  'unsupported',
]);

/** The page's error: a title, the sentence, and what the viewer can do. */
export function ErrorCard({ error, streamsLink = true }: { error: PlayerErrorInfo; streamsLink?: boolean }) {
  return (
    <section className="message-card" role="alert" data-testid="player-error" data-kind={error.kind}>
      <h2>{TITLES[error.kind]}</h2>
      <p>{error.message}</p>
      <div className="message-actions">
        {!LINK_ERRORS.has(error.kind) && (
          <button type="button" onClick={() => window.location.reload()}>
            Try again
          </button>
        )}
        {streamsLink && <a href="/">See all streams</a>}
      </div>
    </section>
  );
}

/** A passing problem that playback survives. */
export function NoticeBar({ notice }: { notice: string }) {
  return (
    <div className="notice" role="status" data-testid="player-notice">
      {notice}
    </div>
  );
}
