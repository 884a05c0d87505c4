import { useAdmin } from '../store/admin-store.ts';

/**
 * Explains trouble above the dashboard: lost connection, a closed connection (with a button to
 * reconnect), snapshots that failed validation. Test id: `status-banner`.
 */
export function StatusBanner() {
  const connection = useAdmin((s) => s.connection);
  const rejected = useAdmin((s) => s.rejected);
  const reconnect = useAdmin((s) => s.reconnect);
  const messages: { tone: 'warn' | 'error'; text: string; action?: { label: string; run(): void } }[] = [];
  if (connection.status === 'reconnecting') {
    messages.push({ tone: 'warn', text: connection.message ?? 'Connection lost; reconnecting…' });
  }
  if (connection.status === 'disconnected') {
    messages.push({
      tone: 'error',
      text: connection.message ?? 'Disconnected.',
      action: { label: 'Reconnect', run: reconnect },
    });
  }
  if (rejected.count > 0) {
    messages.push({
      tone: 'warn',
      text: `Ignored ${rejected.count} invalid snapshot${rejected.count === 1 ? '' : 's'}: ${rejected.lastReason ?? ''}`,
    });
  }
  if (messages.length === 0) return null;
  return (
    <div className="banners" data-testid="status-banner">
      {messages.map((m) => (
        <p key={m.text} className={`banner banner-${m.tone}`} role="alert">
          {m.text}
          {m.action && (
            <button type="button" onClick={m.action.run}>
              {m.action.label}
            </button>
          )}
        </p>
      ))}
    </div>
  );
}
