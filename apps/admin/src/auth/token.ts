/** sessionStorage key of the operator token (per tab, gone when the tab closes). */
export const TOKEN_STORAGE_KEY = 'p2pcdn.admin.token';

/** The result of reading `#token=…` from a URL fragment. */
export interface HashToken {
  token: string;
  /** The fragment without the token (`''` when nothing else was there), starting with `#` if not empty. */
  rest: string;
}

/**
 * Reads the operator token from a URL fragment such as `#token=abc` or `#token=abc&view=fleet`.
 * Returns null when the fragment carries no non-empty token.
 */
export function parseHashToken(hash: string): HashToken | null {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  const token = params.get('token')?.trim();
  if (!token) return null;
  params.delete('token');
  const rest = params.toString();
  return { token, rest: rest ? `#${rest}` : '' };
}

/** The browser pieces {@link takeInitialToken} touches, injectable for tests. */
export interface TokenEnvironment {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState' | 'state'>;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
}

function browserEnvironment(): TokenEnvironment {
  return { location: window.location, history: window.history, storage: window.sessionStorage };
}

/**
 * The token to start with: one passed in the fragment wins (it is then kept in sessionStorage and
 * removed from the address bar, so it is not shared with a screenshot or a bookmark), else the
 * one kept from earlier in this tab, else null.
 */
export function takeInitialToken(env: TokenEnvironment = browserEnvironment()): string | null {
  const fromHash = parseHashToken(env.location.hash);
  if (fromHash) {
    env.storage.setItem(TOKEN_STORAGE_KEY, fromHash.token);
    env.history.replaceState(
      env.history.state,
      '',
      `${env.location.pathname}${env.location.search}${fromHash.rest}`,
    );
    return fromHash.token;
  }
  return env.storage.getItem(TOKEN_STORAGE_KEY) || null;
}

/** Keeps (or with null, forgets) the token for this tab. */
export function storeToken(
  token: string | null,
  storage: TokenEnvironment['storage'] = window.sessionStorage,
): void {
  if (token === null) storage.removeItem(TOKEN_STORAGE_KEY);
  else storage.setItem(TOKEN_STORAGE_KEY, token);
}
