// First, so it records when the bundle started running (see the startup timeline).
import './stats/bundle-start.ts';
// Then the coordinator socket, the viewer's hello and join, and the stream request (see
// early-start.ts): they travel while the rest of the code is evaluated.
import { takeEarlyStart } from './p2p/early-start.ts';
import './ui/styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks #root');
const early = takeEarlyStart();
// The rest (schemas, peer stack, session) is one long evaluation: it starts once the socket is
// connected, so the hello and join are on their way meanwhile (index.html preloads its chunks).
void (early?.connected ?? Promise.resolve())
  .then(() => import('./start.ts'))
  .then(
    ({ start }) => start(root, early),
    () => {
      root.textContent = 'The player could not load its code: reload to try again.';
    },
  );
