import { describe, expect, it } from 'vitest';
import { cryptoProviderConformance } from '../testing/crypto-conformance.ts';
import { FakeCryptoProvider } from '../testing/fake-crypto.ts';

describe('cryptoProviderConformance', () => {
  it('catches a provider that is not SHA-256 and Ed25519', async () => {
    const failures = await cryptoProviderConformance(new FakeCryptoProvider());
    expect(failures.some((f) => f.startsWith('sha256("abc"): got '))).toBe(true);
    expect(failures.some((f) => f.startsWith('RFC 8032 test 1 signature'))).toBe(true);
    expect(failures.some((f) => f.startsWith('manifest signature'))).toBe(true);
  });
});
