import {
  ManifestBook,
  cryptoProviderConformance,
  manifestEntry,
  signManifest,
  toHex,
  type SegmentManifest,
} from '@p2pcdn/core';
import { describe, expect, it } from 'vitest';
import { WebCryptoProvider, generateSigningKeyPair } from './crypto-web.ts';

// Node 20's globalThis.crypto.subtle implements Ed25519 like Chromium's (Chrome 137+); the same
// class runs in the player page. The worker's NodeCryptoProvider passes the same suite, so the
// two agree bit for bit on every known answer.
const crypto = new WebCryptoProvider();

describe('WebCryptoProvider', () => {
  it('passes the known-answer conformance suite (SHA-256, RFC 8032, the manifest vector)', async () => {
    expect(await cryptoProviderConformance(crypto)).toEqual([]);
  });

  it('hashes views into larger buffers without their neighbours', async () => {
    const backing = Uint8Array.from({ length: 100 }, (_, i) => i);
    const view = backing.subarray(10, 20);
    expect(toHex(await crypto.sha256(view))).toBe(toHex(await crypto.sha256(backing.slice(10, 20))));
  });

  it('generates key pairs whose signatures verify, and only under their own key', async () => {
    const a = await generateSigningKeyPair();
    const b = await generateSigningKeyPair();
    expect(a.privateKey.byteLength).toBe(32);
    expect(a.publicKey.byteLength).toBe(32);
    const data = Uint8Array.of(4, 5, 6);
    const signature = await crypto.sign(a.privateKey, data);
    expect(await crypto.verify(a.publicKey, signature, data)).toBe(true);
    expect(await crypto.verify(b.publicKey, signature, data)).toBe(false);
  });

  it('answers false, never throws, for keys that are not on the curve or have the wrong size', async () => {
    const signature = new Uint8Array(64);
    expect(await crypto.verify(new Uint8Array(32).fill(0xff), signature, new Uint8Array(1))).toBe(false);
    expect(await crypto.verify(new Uint8Array(33), signature, new Uint8Array(1))).toBe(false);
    await expect(crypto.sign(new Uint8Array(31), new Uint8Array(1))).rejects.toThrow(/32-byte seed/);
  });

  it('verifies a segment against a signed manifest and rejects a tampered one', async () => {
    const keys = await generateSigningKeyPair();
    const segment = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) % 256);
    const url = 'http://127.0.0.1:8081/vod/seg-3.m4s';
    const manifest: SegmentManifest = {
      version: 1,
      streamId: 'demo-vod',
      seq: 4,
      issuedAt: 1_700_000_000_000,
      entries: [await manifestEntry(url, segment, crypto, { sequence: 3 })],
    };
    const signed = await signManifest(manifest, keys.privateKey, crypto);
    const book = new ManifestBook({ streamId: 'demo-vod', publicKey: keys.publicKey, crypto });
    const forged = { ...signed, payload: signed.payload.replace('"size":100000', '"size":99999') };
    expect(await book.add(forged)).toMatchObject({ ok: false, kind: 'bad-signature' });
    expect(await book.add(signed)).toMatchObject({ ok: true });
    const ref = { streamId: 'demo-vod', url };
    expect(await book.verifySegment(ref, segment)).toEqual({ ok: true });
    const tampered = segment.slice();
    tampered[0] = (tampered[0] ?? 0) ^ 1;
    expect(await book.verifySegment(ref, tampered)).toEqual({ ok: false, reason: 'hash-mismatch' });
  });
});
