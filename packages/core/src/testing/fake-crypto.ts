import type { CryptoProvider } from '../integrity/crypto-provider.ts';

/**
 * A {@link CryptoProvider} for core's own tests, which cannot reach `node:crypto` or WebCrypto.
 * NOT cryptography: the "hash" is FNV-1a spread over 32 bytes and a "signature" is that hash
 * keyed by the public key derived from the private one. It keeps the properties the logic
 * relies on — deterministic, any changed byte changes the digest, a signature only verifies
 * for its key and data — and nothing else. Real providers live in the worker and the player.
 */
export class FakeCryptoProvider implements CryptoProvider {
  /** Calls made, for tests that count hashing work. */
  readonly calls = { sha256: 0, sign: 0, verify: 0 };

  sha256(data: Uint8Array): Promise<Uint8Array> {
    this.calls.sha256++;
    return Promise.resolve(fakeDigest(data));
  }

  sign(privateKey: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
    this.calls.sign++;
    return Promise.resolve(fakeSignature(fakePublicKey(privateKey), data));
  }

  verify(publicKey: Uint8Array, signature: Uint8Array, data: Uint8Array): Promise<boolean> {
    this.calls.verify++;
    if (publicKey.byteLength !== 32 || signature.byteLength !== 64) return Promise.resolve(false);
    const expected = fakeSignature(publicKey, data);
    return Promise.resolve(expected.every((b, i) => b === signature[i]));
  }
}

/** The fake public key of a fake private key. */
export function fakePublicKey(privateKey: Uint8Array): Uint8Array {
  return fakeDigest(concat(Uint8Array.of(0x70), privateKey));
}

function fakeSignature(publicKey: Uint8Array, data: Uint8Array): Uint8Array {
  return concat(fakeDigest(concat(publicKey, data)), fakeDigest(concat(data, publicKey)));
}

function fakeDigest(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  for (let lane = 0; lane < 8; lane++) {
    let h = (0x811c9dc5 ^ (lane * 0x9e3779b9)) >>> 0;
    for (const byte of data) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
    h = Math.imul(h ^ data.byteLength, 0x01000193) >>> 0;
    out.set([h >>> 24, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff], lane * 4);
  }
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}
