import { TokenForm } from './auth/token-form.tsx';
import { useAdminConnection } from './connection/use-admin-connection.ts';
import { EventLogSection } from './events/event-log.tsx';
import { FiguresSection } from './figures/figures-section.tsx';
import { ForecastSection } from './forecast/forecast-section.tsx';
import { FleetSection } from './fleet/fleet-section.tsx';
import { ForestSection } from './forest/forest-section.tsx';
import { SourcesSection } from './sources/sources-section.tsx';
import { StatusBanner } from './layout/status-banner.tsx';
import { TopBar } from './layout/top-bar.tsx';
import { useAdmin } from './store/admin-store.ts';

/** The operators' dashboard: the token form until a token is accepted, then every section. */
export function App() {
  const token = useAdmin((s) => s.token);
  const connection = useAdmin((s) => s.connection);
  const setToken = useAdmin((s) => s.setToken);
  useAdminConnection();

  // The dev fixture feed is "connected" without a token.
  if (token === null && connection.status !== 'connected') {
    return (
      <TokenForm
        error={connection.status === 'refused' ? connection.message : undefined}
        onSubmit={setToken}
      />
    );
  }
  return (
    <>
      <TopBar onSignOut={() => setToken(null)} />
      <main className="dashboard">
        <StatusBanner />
        <FiguresSection />
        <ForestSection />
        <SourcesSection />
        <ForecastSection />
        <FleetSection />
        <EventLogSection />
      </main>
    </>
  );
}
