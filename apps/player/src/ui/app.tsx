import { useMemo } from 'react';
import { parsePageParams } from '../page/page-params.ts';
import { errorInfo } from '../page/player-error.ts';
import { ErrorCard } from './message-card.tsx';
import { PlayerPage } from './player-page.tsx';
import { StreamListPage } from './stream-list-page.tsx';

/** The page: `?stream=<id>` plays that stream, no parameter lists the streams. */
export function App({ search }: { search: string }) {
  // Memoised so the player session (keyed on these params) starts once per page.
  const route = useMemo(() => {
    try {
      const params = parsePageParams(search);
      const { streamId } = params;
      return streamId === null
        ? { page: 'list' as const }
        : { page: 'watch' as const, params: { ...params, streamId } };
    } catch (error) {
      return { page: 'error' as const, error: errorInfo(error, 'bad-request') };
    }
  }, [search]);

  let body;
  if (route.page === 'error') body = <ErrorCard error={route.error} />;
  else if (route.page === 'list') body = <StreamListPage />;
  else body = <PlayerPage params={route.params} />;

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
