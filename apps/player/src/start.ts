// Before any module that defines protocol schemas.
import './zod-config.ts';
import type { EarlyStart } from './p2p/early-start.ts';
import { startSession } from './p2p/session.ts';
import { routeFor } from './page/route.ts';
import { playerStore } from './stats/player-store.ts';

/**
 * The page itself, once `main.tsx` has the coordinator socket connecting: routes, starts the
 * player session for `?stream=` (adopting what the early start sent) and renders the page once
 * the first frame is up.
 */
export function start(root: HTMLElement, early: EarlyStart | null): void {
  const route = routeFor(window.location.search);
  if (route.page !== 'watch') early?.socket.close();
  // The session takes over the early socket and signals first, loading hls.js (itself a separate
  // chunk) alongside; the page's rendering follows once the first frame is up (see `started`).
  const session =
    route.page === 'watch' ? startSession({ params: route.params, store: playerStore, early }) : null;
  // In the document from the start (playback begins before the page renders; index.html styles it
  // there); the page then moves it into its frame.
  if (session) root.append(session.video);
  (session?.started ?? Promise.resolve())
    .then(() => import('./ui/mount.tsx'))
    .then(
      ({ mountApp }) => mountApp(root, route, session),
      () => {
        root.textContent = 'The player could not load its page code: reload to try again.';
      },
    );
}
