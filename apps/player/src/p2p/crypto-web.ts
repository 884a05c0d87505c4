import {
  ED25519_PRIVATE_KEY_BYTES,
  ED25519_PUBLIC_KEY_BYTES,
  ED25519_SIGNATURE_BYTES,
  IntegrityError,
  fromHex,
  toHex,
  type CryptoProvider,
  type SigningKeyPair,
} from '@p2pcdn/core';

/** DER prefix of a PKCS #8 Ed25519 private key; the 32-byte seed follows (RFC 8410). */
const PKCS8_ED25519_PREFIX = fromHex('302e020100300506032b657004220420');
const ED25519 = { name: 'Ed25519' };
/** Imported public keys kept (a viewer verifies a handful of publishers' keys). */
const PUBLIC_KEY_CACHE = 64;

/**
 * {@link CryptoProvider} on WebCrypto (`crypto.subtle`), for viewer tabs. Ed25519 is in
 * WebCrypto by default since Chrome 137, Firefox 129 and Safari 17, and in Node 20. `subtle`
 * only exists in secure contexts (https, or http on localhost / 127.0.0.1).
 */
export class WebCryptoProvider implements CryptoProvider {
  private readonly publicKeys = new Map<string, Promise<CryptoKey>>();

  constructor(private readonly subtle: SubtleCrypto = defaultSubtle()) {}

  async sha256(data: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(await this.subtle.digest('SHA-256', bufferSource(data)));
  }

  async sign(privateKey: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
    if (privateKey.byteLength !== ED25519_PRIVATE_KEY_BYTES) {
      throw new IntegrityError('invalid-argument', 'an Ed25519 private key is a 32-byte seed');
    }
    const pkcs8 = new Uint8Array(PKCS8_ED25519_PREFIX.length + privateKey.byteLength);
    pkcs8.set(PKCS8_ED25519_PREFIX);
    pkcs8.set(privateKey, PKCS8_ED25519_PREFIX.length);
    const key = await this.subtle.importKey('pkcs8', pkcs8, ED25519, false, ['sign']);
    return new Uint8Array(await this.subtle.sign(ED25519, key, bufferSource(data)));
  }

  async verify(publicKey: Uint8Array, signature: Uint8Array, data: Uint8Array): Promise<boolean> {
    if (
      publicKey.byteLength !== ED25519_PUBLIC_KEY_BYTES ||
      signature.byteLength !== ED25519_SIGNATURE_BYTES
    ) {
      return false;
    }
    try {
      const key = await this.publicKey(publicKey);
      return await this.subtle.verify(ED25519, key, bufferSource(signature), bufferSource(data));
    } catch {
      return false; // a key the platform refuses to import is one nothing verifies under
    }
  }

  private publicKey(raw: Uint8Array): Promise<CryptoKey> {
    const id = toHex(raw);
    let key = this.publicKeys.get(id);
    if (!key) {
      key = this.subtle.importKey('raw', new Uint8Array(raw), ED25519, false, ['verify']);
      if (this.publicKeys.size >= PUBLIC_KEY_CACHE) this.publicKeys.clear();
      this.publicKeys.set(id, key);
      key.catch(() => this.publicKeys.delete(id));
    }
    return key;
  }
}

/** A fresh Ed25519 key pair as raw bytes, made with WebCrypto. */
export async function generateSigningKeyPair(
  subtle: SubtleCrypto = defaultSubtle(),
): Promise<SigningKeyPair> {
  const pair = (await subtle.generateKey(ED25519, true, ['sign', 'verify'])) as CryptoKeyPair;
  const pkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey));
  const raw = new Uint8Array(await subtle.exportKey('raw', pair.publicKey));
  return { privateKey: pkcs8.slice(PKCS8_ED25519_PREFIX.length), publicKey: raw };
}

function defaultSubtle(): SubtleCrypto {
  const subtle = globalThis.crypto?.subtle as SubtleCrypto | undefined;
  if (!subtle) {
    throw new IntegrityError(
      'invalid-argument',
      'WebCrypto is unavailable: the page must be served over https or from localhost',
    );
  }
  return subtle;
}

/**
 * The bytes as WebCrypto's `BufferSource` (a view over an ArrayBuffer); copied only when they
 * sit in a SharedArrayBuffer, which WebCrypto refuses.
 */
function bufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer
    ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    : new Uint8Array(bytes);
}
