import { useState, type FormEvent } from 'react';

/** Props of {@link TokenForm}. */
export interface TokenFormProps {
  /** Why the form is shown again (a refused token), if it is. */
  error?: string | undefined;
  onSubmit(token: string): void;
}

/**
 * Asks for the operator token. Test ids: `token-form`, `token-input`, `token-error`.
 */
export function TokenForm({ error, onSubmit }: TokenFormProps) {
  const [token, setToken] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = token.trim();
    if (trimmed) onSubmit(trimmed);
  };
  return (
    <main className="signin">
      <form className="signin-card" onSubmit={submit} data-testid="token-form">
        <h1>
          <span className="logo" aria-hidden="true">
            ◆
          </span>{' '}
          p2pcdn operators
        </h1>
        <p className="muted">
          Paste the operator token. The coordinator prints it at start-up and keeps it in its data directory;
          you can also open <code>/admin/#token=…</code>.
        </p>
        {error && (
          <p className="error" role="alert" data-testid="token-error">
            {error}
          </p>
        )}
        <label htmlFor="token">Operator token</label>
        <input
          id="token"
          type="password"
          autoComplete="current-password"
          autoFocus
          value={token}
          onChange={(e) => setToken(e.target.value)}
          data-testid="token-input"
        />
        <button type="submit" className="primary" disabled={!token.trim()}>
          Connect
        </button>
      </form>
    </main>
  );
}
