import { formatKbps, formatShare } from '../format/format.ts';
import { useAdmin } from '../store/admin-store.ts';
import { computeTotals } from '../store/totals.ts';
import { ConnectionBadge } from './connection-badge.tsx';
import { useNow } from './use-now.ts';

/** Props of {@link TopBar}. */
export interface TopBarProps {
  onSignOut(): void;
}

function Total({ label, value, testId }: { label: string; value: string | number; testId: string }) {
  return (
    <div className="total">
      <span className="total-label">{label}</span>
      <span className="total-value" data-testid={testId}>
        {value}
      </span>
    </div>
  );
}

/**
 * The sticky header: section links, totals over every stream, connection state.
 * Test ids: `total-streams`, `total-relays`, `total-viewers`, `total-p2p-share`, `total-origin-kbps`.
 */
export function TopBar({ onSignOut }: TopBarProps) {
  const snapshot = useAdmin((s) => s.snapshot);
  const connection = useAdmin((s) => s.connection);
  const receivedAt = useAdmin((s) => s.receivedAt);
  const now = useNow();
  const totals = computeTotals(snapshot);
  const staleSec = receivedAt === null ? null : Math.max(0, Math.floor((now - receivedAt) / 1000));

  return (
    <header className="topbar">
      <div className="brand">
        <span className="logo" aria-hidden="true">
          ◆
        </span>
        p2pcdn <span className="muted">operators</span>
      </div>
      <nav className="sections" aria-label="Sections">
        <a href="#figures">Figures</a>
        <a href="#topology">Forest</a>
        <a href="#sources">Sources</a>
        <a href="#forecast">Forecast</a>
        <a href="#fleet">Fleet</a>
        <a href="#events">Events</a>
      </nav>
      <div className="totals">
        <Total label="streams" value={totals.streams} testId="total-streams" />
        <Total label="relays" value={totals.relays} testId="total-relays" />
        <Total label="viewers" value={totals.viewers} testId="total-viewers" />
        <Total label="P2P share" value={formatShare(totals.p2pShare)} testId="total-p2p-share" />
        <Total label="origin egress" value={formatKbps(totals.originKbps)} testId="total-origin-kbps" />
      </div>
      <div className="session">
        <ConnectionBadge connection={connection} staleSec={staleSec} />
        <button type="button" className="link" onClick={onSignOut}>
          Sign out
        </button>
      </div>
    </header>
  );
}
