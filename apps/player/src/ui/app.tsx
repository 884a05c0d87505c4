import type { SessionHandle } from '../p2p/session.ts';
import type { PageRoute } from '../page/route.ts';
import { ErrorCard } from './message-card.tsx';
import { PlayerPage } from './player-page.tsx';
import { StreamListPage } from './stream-list-page.tsx';

/**
 * The page: `?stream=<id>` plays that stream, no parameter lists the streams. The player session
 * was started before the first render (see `main.tsx`), so signalling does not wait for React.
 */
export function App({ route, session }: { route: PageRoute; session: SessionHandle | null }) {
  let body;
  if (route.page === 'error') body = <ErrorCard error={route.error} />;
  else if (route.page === 'list' || !session) body = <StreamListPage />;
  else body = <PlayerPage streamId={route.params.streamId} session={session} />;

  return (
    <div className="app">
      <header className="top">
        <a className="brand" href="/">
          <span className="brand-mark" aria-hidden="true" />
          p2pcdn
        </a>
        <span className="tagline">streams delivered by the people watching them</span>
      </header>
      <main>{body}</main>
    </div>
  );
}
