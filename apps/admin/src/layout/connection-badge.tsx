import type { ConnectionState } from '../store/admin-store.ts';

const LABELS: Record<ConnectionState['status'], string> = {
  'signed-out': 'signed out',
  connecting: 'connecting…',
  connected: 'connected',
  reconnecting: 'reconnecting…',
  refused: 'refused',
  disconnected: 'disconnected',
};

/** Props of {@link ConnectionBadge}. */
export interface ConnectionBadgeProps {
  connection: ConnectionState;
  /** Shown while reconnecting: seconds since the last snapshot. */
  staleSec: number | null;
}

/** Dot and word for the `/admin` socket's state. Test id: `connection-status` (with `data-status`). */
export function ConnectionBadge({ connection, staleSec }: ConnectionBadgeProps) {
  const { status, attempt, message } = connection;
  const stale = status === 'connected' && staleSec !== null && staleSec >= 5;
  return (
    <span
      className={`conn conn-${stale ? 'stale' : status}`}
      data-testid="connection-status"
      data-status={status}
      title={message ?? (stale ? `no snapshot for ${staleSec} s` : undefined)}
      role="status"
    >
      <span className="dot" aria-hidden="true" />
      {stale ? `stale (${staleSec} s)` : LABELS[status]}
      {status === 'reconnecting' && attempt !== undefined && attempt > 0 && (
        <span className="muted"> · try {attempt}</span>
      )}
    </span>
  );
}
