import { describe, expect, it } from 'vitest';
import type { SegmentManifest } from '../protocol/manifest.ts';
import { FakeCryptoProvider, fakePublicKey } from '../testing/fake-crypto.ts';
import { ManifestBook } from './manifest-book.ts';
import { manifestEntry, signManifest } from './manifest.ts';

const crypto = new FakeCryptoProvider();
const privateKey = Uint8Array.from({ length: 32 }, (_, i) => 200 - i);
const publicKey = fakePublicKey(privateKey);
const ref = (n: number, streamId = 'demo-live') => ({
  streamId,
  url: `http://127.0.0.1:8081/live/seg-${n}.m4s`,
});
const bytes = (n: number, size = 3000): Uint8Array =>
  Uint8Array.from({ length: size }, (_, i) => (i + n) % 256);

async function signed(
  seq: number,
  segments: [number, Uint8Array][],
  streamId = 'demo-live',
  blockBytes?: number,
) {
  const m: SegmentManifest = {
    version: 1,
    streamId,
    seq,
    issuedAt: 1_700_000_000_000 + seq,
    entries: await Promise.all(
      segments.map(([n, data]) => manifestEntry(ref(n).url, data, crypto, blockBytes ? { blockBytes } : {})),
    ),
  };
  return signManifest(m, privateKey, crypto);
}
const book = (maxEntries?: number) =>
  new ManifestBook({
    streamId: 'demo-live',
    publicKey,
    crypto,
    ...(maxEntries !== undefined && { maxEntries }),
  });

describe('ManifestBook', () => {
  it('verifies a segment listed in a signed manifest', async () => {
    const b = book();
    expect(
      await b.add(
        await signed(1, [
          [0, bytes(0)],
          [1, bytes(1)],
        ]),
      ),
    ).toMatchObject({ ok: true });
    expect(b.size).toBe(2);
    expect(await b.verifySegment(ref(1), bytes(1))).toEqual({ ok: true });
    expect(await b.segmentVerifier()(ref(0), bytes(0))).toBe(true);
  });

  it('rejects a tampered segment, a truncated one and one no manifest lists', async () => {
    const b = book();
    await b.add(await signed(1, [[0, bytes(0)]]));
    const tampered = bytes(0);
    tampered[1234] = (tampered[1234] ?? 0) ^ 1;
    expect(await b.verifySegment(ref(0), tampered)).toEqual({ ok: false, reason: 'hash-mismatch' });
    expect(await b.verifySegment(ref(0), bytes(0).subarray(1))).toEqual({
      ok: false,
      reason: 'size-mismatch',
    });
    expect(await b.verifySegment(ref(9), bytes(9))).toEqual({ ok: false, reason: 'unknown-segment' });
    expect(await b.verifySegment(ref(0, 'other'), bytes(0))).toEqual({
      ok: false,
      reason: 'unknown-segment',
    });
    expect(await b.segmentVerifier()(ref(0), tampered)).toBe(false);
  });

  it('refuses manifests that are forged or for another stream', async () => {
    const b = book();
    const good = await signed(1, [[0, bytes(0)]]);
    const forged = { ...good, payload: good.payload.replace('"seq":1', '"seq":9') };
    expect(await b.add(forged)).toMatchObject({ ok: false, kind: 'bad-signature' });
    expect(await b.add(await signed(1, [[0, bytes(0)]], 'other-stream'))).toMatchObject({
      ok: false,
      kind: 'wrong-stream',
    });
    expect(b.size).toBe(0);
    expect(b.revision).toBe(-1);
  });

  it('lets a later revision override an entry and never an earlier one', async () => {
    const b = book();
    await b.add(await signed(2, [[0, bytes(0)]]));
    await b.add(await signed(1, [[0, bytes(100)]]));
    expect(await b.verifySegment(ref(0), bytes(0))).toEqual({ ok: true });
    await b.add(await signed(3, [[0, bytes(200)]]));
    expect(await b.verifySegment(ref(0), bytes(200))).toEqual({ ok: true });
    expect(b.revision).toBe(3);
  });

  it('keeps a rolling window of the most recently listed segments', async () => {
    const b = book(3);
    await b.add(
      await signed(1, [
        [0, bytes(0)],
        [1, bytes(1)],
        [2, bytes(2)],
      ]),
    );
    await b.add(
      await signed(2, [
        [2, bytes(2)],
        [3, bytes(3)],
      ]),
    );
    expect(b.size).toBe(3);
    expect(b.entry(ref(0))).toBeUndefined();
    expect(b.entry(ref(1))).toBeDefined();
    expect(() => book(0)).toThrow(/maxEntries/);
  });

  it('checks single blocks against per-block hashes to blame their sender', async () => {
    const b = book();
    const data = bytes(5, 5000);
    await b.add(await signed(1, [[5, data]], 'demo-live', 2048));
    expect(await b.verifyBlock(ref(5), 0, 2048, data.subarray(0, 2048))).toEqual({ ok: true });
    expect(await b.verifyBlock(ref(5), 2, 2048, data.subarray(4096))).toEqual({ ok: true });
    const bad = data.slice(2048, 4096);
    bad[0] = (bad[0] ?? 0) ^ 0xff;
    expect(await b.verifyBlock(ref(5), 1, 2048, bad)).toEqual({ ok: false, reason: 'hash-mismatch' });
    expect(await b.verifyBlock(ref(5), 2, 2048, data.subarray(4095))).toEqual({
      ok: false,
      reason: 'size-mismatch',
    });
    expect(await b.verifyBlock(ref(5), 3, 2048, data.subarray(0, 1))).toEqual({
      ok: false,
      reason: 'size-mismatch',
    });
    expect(await b.verifyBlock(ref(5), 0, 1024, data.subarray(0, 1024))).toEqual({
      ok: false,
      reason: 'no-block-hashes',
    });
    expect(await b.verifyBlock(ref(6), 0, 2048, data.subarray(0, 2048))).toEqual({
      ok: false,
      reason: 'unknown-segment',
    });
  });
});
