import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as edSign,
  verify as edVerify,
  type KeyObject,
} from 'node:crypto';
import {
  ED25519_PRIVATE_KEY_BYTES,
  ED25519_PUBLIC_KEY_BYTES,
  ED25519_SIGNATURE_BYTES,
  IntegrityError,
  type CryptoProvider,
  type SigningKeyPair,
} from '@p2pcdn/core';

/** DER prefix of a PKCS #8 Ed25519 private key; the 32-byte seed follows (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** DER prefix of an SPKI Ed25519 public key; the 32-byte key follows (RFC 8410). */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** Imported public keys kept (a node verifies a handful of publishers' keys). */
const PUBLIC_KEY_CACHE = 64;

/** {@link CryptoProvider} on `node:crypto` (OpenSSL), for relays, the coordinator and publishers. */
export class NodeCryptoProvider implements CryptoProvider {
  private readonly publicKeys = new Map<string, KeyObject>();

  sha256(data: Uint8Array): Promise<Uint8Array> {
    return Promise.resolve(plain(createHash('sha256').update(data).digest()));
  }

  sign(privateKey: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
    if (privateKey.byteLength !== ED25519_PRIVATE_KEY_BYTES) {
      return Promise.reject(
        new IntegrityError('invalid-argument', 'an Ed25519 private key is a 32-byte seed'),
      );
    }
    // Not cached: only publishers sign, once per manifest, and a cache would outlive a wiped seed.
    const key = createPrivateKey({
      key: Buffer.concat([PKCS8_ED25519_PREFIX, privateKey]),
      format: 'der',
      type: 'pkcs8',
    });
    return Promise.resolve(plain(edSign(null, data, key)));
  }

  verify(publicKey: Uint8Array, signature: Uint8Array, data: Uint8Array): Promise<boolean> {
    if (
      publicKey.byteLength !== ED25519_PUBLIC_KEY_BYTES ||
      signature.byteLength !== ED25519_SIGNATURE_BYTES
    ) {
      return Promise.resolve(false);
    }
    try {
      return Promise.resolve(edVerify(null, data, this.publicKey(publicKey), signature));
    } catch {
      return Promise.resolve(false); // not a point on the curve, or OpenSSL refused the key
    }
  }

  private publicKey(raw: Uint8Array): KeyObject {
    const id = Buffer.from(raw).toString('hex');
    let key = this.publicKeys.get(id);
    if (!key) {
      key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
      if (this.publicKeys.size >= PUBLIC_KEY_CACHE) this.publicKeys.clear();
      this.publicKeys.set(id, key);
    }
    return key;
  }
}

/** A fresh Ed25519 key pair as raw bytes (a publisher's signing key). */
export function generateSigningKeyPair(): SigningKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return {
    privateKey: plain(pkcs8.subarray(PKCS8_ED25519_PREFIX.length)),
    publicKey: plain(spki.subarray(SPKI_ED25519_PREFIX.length)),
  };
}

/** A plain Uint8Array copy of a Buffer, so results compare equal to any other provider's. */
function plain(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer);
}
