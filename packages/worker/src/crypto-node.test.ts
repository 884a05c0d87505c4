import { randomBytes, webcrypto } from 'node:crypto';
import {
  ManifestBook,
  cryptoProviderConformance,
  manifestEntry,
  signManifest,
  toHex,
  type SegmentManifest,
} from '@p2pcdn/core';
import { describe, expect, it } from 'vitest';
import { NodeCryptoProvider, generateSigningKeyPair } from './crypto-node.ts';

const crypto = new NodeCryptoProvider();
const PKCS8_PREFIX = Uint8Array.from(Buffer.from('302e020100300506032b657004220420', 'hex'));

/** The same operations on Node's WebCrypto, the API browsers have, as an independent reference. */
const web = {
  async sha256(data: Uint8Array): Promise<string> {
    return toHex(new Uint8Array(await webcrypto.subtle.digest('SHA-256', data)));
  },
  async sign(seed: Uint8Array, data: Uint8Array): Promise<string> {
    const pkcs8 = new Uint8Array([...PKCS8_PREFIX, ...seed]);
    const key = await webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, false, ['sign']);
    return toHex(new Uint8Array(await webcrypto.subtle.sign({ name: 'Ed25519' }, key, data)));
  },
};

describe('NodeCryptoProvider', () => {
  it('passes the known-answer conformance suite (SHA-256, RFC 8032, the manifest vector)', async () => {
    expect(await cryptoProviderConformance(crypto)).toEqual([]);
  });

  it('agrees with WebCrypto byte for byte on random keys and data', async () => {
    for (let i = 0; i < 20; i++) {
      const seed = new Uint8Array(randomBytes(32));
      const data = new Uint8Array(randomBytes(i * 997));
      expect(toHex(await crypto.sha256(data))).toBe(await web.sha256(data));
      expect(toHex(await crypto.sign(seed, data))).toBe(await web.sign(seed, data));
    }
  });

  it('generates key pairs whose signatures verify, and only under their own key', async () => {
    const a = generateSigningKeyPair();
    const b = generateSigningKeyPair();
    expect(a.privateKey.byteLength).toBe(32);
    expect(a.publicKey.byteLength).toBe(32);
    const data = new Uint8Array([1, 2, 3]);
    const signature = await crypto.sign(a.privateKey, data);
    expect(await crypto.verify(a.publicKey, signature, data)).toBe(true);
    expect(await crypto.verify(b.publicKey, signature, data)).toBe(false);
  });

  it('answers false, never throws, for keys that are not on the curve or have the wrong size', async () => {
    const signature = new Uint8Array(64);
    expect(await crypto.verify(new Uint8Array(32).fill(0xff), signature, new Uint8Array(1))).toBe(false);
    expect(await crypto.verify(new Uint8Array(31), signature, new Uint8Array(1))).toBe(false);
    await expect(crypto.sign(new Uint8Array(16), new Uint8Array(1))).rejects.toThrow(/32-byte seed/);
  });

  it('signs a manifest whose segments verify, and rejects a tampered segment or manifest', async () => {
    const keys = generateSigningKeyPair();
    const segment = new Uint8Array(randomBytes(200_000));
    const url = 'http://127.0.0.1:8081/live/seg-1.m4s';
    const manifest: SegmentManifest = {
      version: 1,
      streamId: 'demo-live',
      seq: 1,
      issuedAt: Date.now(),
      entries: [await manifestEntry(url, segment, crypto, { blockBytes: 16_384 })],
    };
    const signed = await signManifest(manifest, keys.privateKey, crypto, keys.publicKey);
    const book = new ManifestBook({ streamId: 'demo-live', publicKey: keys.publicKey, crypto });
    expect(
      await book.add({ ...signed, payload: signed.payload.replace('"seq":1', '"seq":2') }),
    ).toMatchObject({
      ok: false,
      kind: 'bad-signature',
    });
    expect(await book.add(signed)).toMatchObject({ ok: true });
    const ref = { streamId: 'demo-live', url };
    expect(await book.verifySegment(ref, segment)).toEqual({ ok: true });
    const tampered = segment.slice();
    tampered[123_456] = (tampered[123_456] ?? 0) ^ 1;
    expect(await book.verifySegment(ref, tampered)).toEqual({ ok: false, reason: 'hash-mismatch' });
    // Block 7 holds byte 123 456: the per-block hash pins the bad block on its sender.
    expect(await book.verifyBlock(ref, 7, 16_384, tampered.subarray(7 * 16_384, 8 * 16_384))).toEqual({
      ok: false,
      reason: 'hash-mismatch',
    });
    expect(await book.verifyBlock(ref, 6, 16_384, tampered.subarray(6 * 16_384, 7 * 16_384))).toEqual({
      ok: true,
    });
  });
});
