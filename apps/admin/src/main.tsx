import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { storeToken, takeInitialToken } from './auth/token.ts';
import { adminStore } from './store/admin-store.ts';
import './styles.css';

// The token lives in sessionStorage for this tab; the store is the one place that changes it.
adminStore.subscribe((state, previous) => {
  if (state.token !== previous.token) storeToken(state.token);
});

const query = new URLSearchParams(window.location.search);
if (import.meta.env.DEV && query.has('fixture')) {
  void import('./dev/fixture-feed.ts').then(({ fixtureKind, startFixtureFeed }) =>
    startFixtureFeed(adminStore, fixtureKind(query.get('fixture'))),
  );
} else {
  const token = takeInitialToken();
  if (token !== null) adminStore.getState().setToken(token);
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
