import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { SessionHandle } from '../p2p/session.ts';
import type { PageRoute } from '../page/route.ts';
import { App } from './app.tsx';

/** Renders the page into `root` (loaded after the session started, see `main.tsx`). */
export function mountApp(root: HTMLElement, route: PageRoute, session: SessionHandle | null): void {
  createRoot(root).render(
    <StrictMode>
      <App route={route} session={session} />
    </StrictMode>,
  );
}
