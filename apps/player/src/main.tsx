// First, so it records when the bundle started running (see the startup timeline).
import './stats/bundle-start.ts';
// Then the coordinator socket and the stream request, which travel while the rest is evaluated.
import { takeEarlyStart } from './p2p/early-start.ts';
// Before any module that defines protocol schemas.
import './zod-config.ts';
import { startSession } from './p2p/session.ts';
import { routeFor } from './page/route.ts';
import { playerStore } from './stats/player-store.ts';
import './ui/styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks #root');
const route = routeFor(window.location.search);
const early = takeEarlyStart();
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
