import { describe, expect, it } from 'vitest';
import { TOKEN_STORAGE_KEY, parseHashToken, takeInitialToken, type TokenEnvironment } from './token.ts';

function fakeEnv(hash: string, stored: string | null = null) {
  const storage = new Map<string, string>();
  if (stored !== null) storage.set(TOKEN_STORAGE_KEY, stored);
  const replaced: string[] = [];
  const env: TokenEnvironment = {
    location: { hash, pathname: '/admin/', search: '' },
    history: { state: null, replaceState: (_state, _unused, url) => void replaced.push(String(url)) },
    storage: {
      getItem: (k) => storage.get(k) ?? null,
      setItem: (k, v) => void storage.set(k, v),
      removeItem: (k) => void storage.delete(k),
    },
  };
  return { env, storage, replaced };
}

describe('token', () => {
  it('parses the token from the fragment and keeps the other parameters', () => {
    expect(parseHashToken('#token=abc')).toEqual({ token: 'abc', rest: '' });
    expect(parseHashToken('#token=a%2Bb&view=fleet')).toEqual({ token: 'a+b', rest: '#view=fleet' });
    expect(parseHashToken('#view=fleet')).toBeNull();
    expect(parseHashToken('#token=')).toBeNull();
    expect(parseHashToken('')).toBeNull();
  });

  it('takes the fragment token, stores it and clears it from the address bar', () => {
    const { env, storage, replaced } = fakeEnv('#token=s3cret');
    expect(takeInitialToken(env)).toBe('s3cret');
    expect(storage.get(TOKEN_STORAGE_KEY)).toBe('s3cret');
    expect(replaced).toEqual(['/admin/']);
  });

  it('falls back to the token kept in sessionStorage', () => {
    const { env, replaced } = fakeEnv('', 'kept');
    expect(takeInitialToken(env)).toBe('kept');
    expect(replaced).toEqual([]);
  });

  it('prefers a new fragment token over a kept one', () => {
    const { env } = fakeEnv('#token=new', 'old');
    expect(takeInitialToken(env)).toBe('new');
  });

  it('returns null when there is no token anywhere', () => {
    expect(takeInitialToken(fakeEnv('').env)).toBeNull();
  });
});
