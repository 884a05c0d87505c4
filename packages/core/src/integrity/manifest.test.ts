import { describe, expect, it } from 'vitest';
import type { SegmentManifest, SignedManifest } from '../protocol/manifest.ts';
import { FakeCryptoProvider, fakePublicKey } from '../testing/fake-crypto.ts';
import { IntegrityError } from './errors.ts';
import { fromHex, toHex } from './hex.ts';
import {
  asciiJson,
  blockHash,
  keyIdOf,
  manifestEntry,
  openSignedManifest,
  signManifest,
  signingBytes,
} from './manifest.ts';

const crypto = new FakeCryptoProvider();
const privateKey = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const publicKey = fakePublicKey(privateKey);
const otherKey = fakePublicKey(new Uint8Array(32));
const url = (n: number): string => `http://127.0.0.1:8081/vod/seg-${n}.m4s`;
const segment = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) % 256);

async function manifest(): Promise<SegmentManifest> {
  return {
    version: 1,
    streamId: 'demo-vod',
    seq: 1,
    issuedAt: 1_700_000_000_000,
    entries: [
      await manifestEntry(url(0), segment, crypto, { sequence: 0 }),
      await manifestEntry(url(1), new Uint8Array(10), crypto),
    ],
  };
}
/** `signed` with its payload edited as text, the signature kept. */
const editPayload = (signed: SignedManifest, from: string | RegExp, to: string): SignedManifest => ({
  ...signed,
  payload: signed.payload.replace(from, to),
});

describe('manifest signing', () => {
  it('signs a manifest that verifies under the publisher key and reads back the same', async () => {
    const m = await manifest();
    const signed = await signManifest(m, privateKey, crypto, publicKey);
    expect(signed.keyId).toBe(await keyIdOf(publicKey, crypto));
    expect(await openSignedManifest(signed, publicKey, crypto)).toEqual({ ok: true, manifest: m });
  });

  it('rejects a manifest whose payload was tampered with', async () => {
    const signed = await signManifest(await manifest(), privateKey, crypto);
    const m = await manifest();
    const first = m.entries[0];
    const tampered = [
      editPayload(signed, '"size":5000', '"size":5001'),
      editPayload(signed, first?.sha256 ?? '', '0'.repeat(64)),
      editPayload(signed, url(1), url(2)),
      editPayload(signed, '"seq":1', '"seq":2'),
      { ...signed, payload: `${signed.payload} ` },
    ];
    for (const bad of tampered) {
      expect(bad.payload).not.toBe(signed.payload);
      expect(await openSignedManifest(bad, publicKey, crypto)).toMatchObject({
        ok: false,
        kind: 'bad-signature',
      });
    }
  });

  it('rejects a changed signature and a signature under another key', async () => {
    const signed = await signManifest(await manifest(), privateKey, crypto);
    const flipped = fromHex(signed.signature);
    flipped[0] = (flipped[0] ?? 0) ^ 0x80;
    expect(
      await openSignedManifest({ ...signed, signature: toHex(flipped) }, publicKey, crypto),
    ).toMatchObject({
      ok: false,
      kind: 'bad-signature',
    });
    expect(await openSignedManifest(signed, otherKey, crypto)).toMatchObject({
      ok: false,
      kind: 'bad-signature',
    });
  });

  it('refuses malformed input before checking any signature', async () => {
    const signed = await signManifest(await manifest(), privateKey, crypto);
    const before = crypto.calls.verify;
    for (const bad of [
      null,
      'x',
      [],
      {},
      { ...signed, signature: 'zz' },
      { ...signed, extra: 1 },
      { payload: signed.payload },
    ]) {
      expect(await openSignedManifest(bad, publicKey, crypto)).toMatchObject({
        ok: false,
        kind: 'malformed',
      });
    }
    expect(
      await openSignedManifest({ ...signed, payload: `${signed.payload}é` }, publicKey, crypto),
    ).toMatchObject({
      ok: false,
      kind: 'malformed',
      message: 'payload is not ASCII',
    });
    expect(crypto.calls.verify).toBe(before);
  });

  it('refuses a validly signed payload that is not a manifest', async () => {
    const sign = async (payload: string): Promise<SignedManifest> => ({
      payload,
      signature: toHex(await crypto.sign(privateKey, signingBytes(payload))),
    });
    expect(await openSignedManifest(await sign('{'), publicKey, crypto)).toMatchObject({
      ok: false,
      kind: 'malformed',
      message: 'payload is not JSON',
    });
    const wrong = { ...(await manifest()), version: 2 };
    expect(await openSignedManifest(await sign(JSON.stringify(wrong)), publicKey, crypto)).toMatchObject({
      ok: false,
      kind: 'malformed',
    });
  });

  it('will not sign an invalid manifest or use a key of the wrong length', async () => {
    const m = await manifest();
    const duplicate = { ...m, entries: [...m.entries, ...m.entries] };
    await expect(signManifest(duplicate, privateKey, crypto)).rejects.toThrow(/each key at most once/);
    await expect(signManifest(m, new Uint8Array(31), crypto)).rejects.toThrow(IntegrityError);
    await expect(openSignedManifest({}, new Uint8Array(33), crypto)).rejects.toThrow(IntegrityError);
  });

  it('signs ASCII JSON, escaping other characters, so the bytes are the same everywhere', () => {
    expect(asciiJson({ k: 'héllo ☃ 😀' })).toBe('{"k":"h\\u00e9llo \\u2603 \\ud83d\\ude00"}');
    expect(JSON.parse(asciiJson({ k: 'héllo ☃ 😀' }))).toEqual({ k: 'héllo ☃ 😀' });
    expect(() => signingBytes('é')).toThrow(IntegrityError);
    expect([...signingBytes('{}')].slice(-2)).toEqual([0x7b, 0x7d]);
  });
});

describe('manifestEntry', () => {
  it('lists size, SHA-256 and, when asked, one truncated hash per block', async () => {
    const entry = await manifestEntry(url(0), segment, crypto, { sequence: 4, blockBytes: 2048 });
    expect(entry).toMatchObject({
      key: url(0),
      sequence: 4,
      size: 5000,
      sha256: toHex(await crypto.sha256(segment)),
    });
    expect(entry.blocks?.bytes).toBe(2048);
    expect(entry.blocks?.hashes).toBe(
      (await blockHash(segment.subarray(0, 2048), crypto)) +
        (await blockHash(segment.subarray(2048, 4096), crypto)) +
        (await blockHash(segment.subarray(4096), crypto)),
    );
  });
});

describe('hex', () => {
  it('round-trips bytes and refuses odd or non-hex strings', () => {
    expect(toHex(Uint8Array.of(0, 15, 16, 255))).toBe('000f10ff');
    expect(fromHex('000F10ff')).toEqual(Uint8Array.of(0, 15, 16, 255));
    expect(() => fromHex('abc')).toThrow(IntegrityError);
    expect(() => fromHex('zz')).toThrow(IntegrityError);
  });
});
