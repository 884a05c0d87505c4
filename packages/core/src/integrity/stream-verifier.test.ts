import { describe, expect, it } from 'vitest';
import type { SegmentManifest, SignedManifest } from '../protocol/manifest.ts';
import { FakeCryptoProvider, fakePublicKey } from '../testing/fake-crypto.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { toHex } from './hex.ts';
import { manifestEntry, signManifest } from './manifest.ts';
import { StreamVerifier } from './stream-verifier.ts';

const crypto = new FakeCryptoProvider();
const keyA = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const keyB = Uint8Array.from({ length: 32 }, (_, i) => 99 - i);
const MANIFEST = 'http://origin.test/live/manifest.json';
const url = (n: number) => `http://origin.test/live/seg-${n}.m4s`;
const ref = (n: number) => ({ streamId: 'live', url: url(n) });
const bytes = (n: number) => Uint8Array.from({ length: 5000 }, (_, i) => (i * 7 + n) % 251);

async function signed(
  seq: number,
  segments: number[],
  key = keyA,
  streamId = 'live',
): Promise<SignedManifest> {
  const manifest: SegmentManifest = {
    version: 1,
    streamId,
    seq,
    issuedAt: seq,
    entries: await Promise.all(
      segments.map((n) => manifestEntry(url(n), bytes(n), crypto, { blockBytes: 1024 })),
    ),
  };
  return signManifest(manifest, key, crypto);
}

/** A verifier whose manifest URL serves `served.current` (at first `initial`), counting fetches. */
async function setup(initial?: unknown, key = keyA) {
  const clock = new ManualClock(10_000);
  const served: { current: unknown; fetches: number } = { current: initial, fetches: 0 };
  const verifier = new StreamVerifier({
    crypto,
    clock,
    minRefreshMs: 1000,
    fetchManifest: (at) => {
      served.fetches += 1;
      if (at !== MANIFEST) return Promise.reject(new Error(`404 ${at}`));
      return Promise.resolve(served.current);
    },
  });
  // Telling it about the stream fetches the manifest at once.
  verifier.setStream({ id: 'live', publicKey: toHex(fakePublicKey(key)), manifestUrl: MANIFEST });
  await clock.advance(0);
  return { clock, served, verifier };
}

describe('StreamVerifier', () => {
  it('passes segments the signed manifest lists and rejects tampered ones', async () => {
    const { served, verifier } = await setup(await signed(1, [0, 1]));
    expect(served.fetches).toBe(1);
    expect(await verifier.check(ref(0), bytes(0))).toBe(true);
    const tampered = bytes(1);
    tampered[4000] = (tampered[4000] ?? 0) ^ 0x80;
    expect(await verifier.check(ref(1), tampered)).toBe(false);
    expect(await verifier.check(ref(1), bytes(1).subarray(0, 4999))).toBe(false);
    expect(verifier.stats()).toEqual([
      expect.objectContaining({ streamId: 'live', state: 'verified', revision: 1, verified: 1, rejected: 2 }),
    ]);
    expect(served.fetches).toBe(1);
  });

  it('refetches the manifest for a segment published after it, at most once per interval', async () => {
    const { clock, served, verifier } = await setup(await signed(1, [0]));
    expect(await verifier.check(ref(0), bytes(0))).toBe(true);
    served.current = await signed(2, [0, 1, 2]);
    // Both wait for one fetch, made once the interval since the last one has passed.
    const [a, b] = [verifier.check(ref(1), bytes(1)), verifier.check(ref(2), bytes(2))];
    await clock.advance(1000);
    expect([await a, await b]).toEqual([true, true]);
    expect(served.fetches).toBe(2);
    // A transfer starting for a segment not listed yet fetches the manifest alongside it.
    served.current = await signed(3, [0, 1, 2, 3]);
    verifier.expect(ref(3));
    verifier.expect(ref(2));
    await clock.advance(1000);
    expect(served.fetches).toBe(3);
    expect(await verifier.check(ref(3), bytes(3))).toBe(true);
    expect(served.fetches).toBe(3);
    // A segment no manifest lists is dropped, blaming nobody.
    const c = verifier.check(ref(9), bytes(9));
    await clock.advance(1000);
    expect(await c).toBe('unknown');
    expect(verifier.stats()[0]).toMatchObject({ unvouched: 1, rejected: 0 });
  });

  it('refuses a tampered manifest, one signed by another key and one for another stream', async () => {
    const { clock, served, verifier } = await setup();
    const good = await signed(1, [0]);
    const cases: unknown[] = [
      { ...good, payload: good.payload.replace('"seq":1', '"seq":7') },
      await signed(1, [0], keyB),
      await signed(1, [0], keyA, 'other'),
      { payload: 'x', signature: 'nothex' },
    ];
    for (const manifest of cases) {
      served.current = manifest;
      const check = verifier.check(ref(0), bytes(0));
      await clock.advance(1000);
      expect(await check).toBe('unknown');
    }
    // Four refused, and the first fetch (nothing served yet) failed too.
    expect(verifier.stats()[0]).toMatchObject({ manifestErrors: 5, verified: 0, revision: -1 });
  });

  it('starts afresh when the publisher key rotates: the old key’s manifests no longer count', async () => {
    const { clock, served, verifier } = await setup(await signed(1, [0]));
    expect(await verifier.check(ref(0), bytes(0))).toBe(true);
    verifier.setStream({ id: 'live', publicKey: toHex(fakePublicKey(keyB)), manifestUrl: MANIFEST });
    const stale = verifier.check(ref(0), bytes(0));
    await clock.advance(1000);
    expect(await stale).toBe('unknown');
    served.current = await signed(2, [0], keyB);
    const fresh = verifier.check(ref(0), bytes(0));
    await clock.advance(1000);
    expect(await fresh).toBe(true);
  });

  it('blames single blocks by their hashes', async () => {
    const { verifier } = await setup(await signed(1, [3]));
    expect(await verifier.checkBlock(ref(3), 1, 1024, bytes(3).subarray(1024, 2048))).toBe(true);
    expect(await verifier.checkBlock(ref(3), 2, 1024, bytes(3).subarray(1024, 2048))).toBe(false);
    expect(await verifier.checkBlock(ref(3), 0, 2048, bytes(3).subarray(0, 2048))).toBe('unknown');
  });

  it('passes an unverified stream through and accepts nothing for a stream it was not told about', async () => {
    const { verifier } = await setup();
    verifier.setStream({ id: 'plain' });
    expect(verifier.state('plain')).toBe('unverified');
    expect(await verifier.check({ streamId: 'plain', url: url(0) }, bytes(5))).toBe(true);
    expect(verifier.state('nope')).toBe('unknown-stream');
    expect(await verifier.check({ streamId: 'nope', url: url(0) }, bytes(0))).toBe('unknown');
    verifier.dropStream('plain');
    expect(verifier.state('plain')).toBe('unknown-stream');
  });
});
