/** Bytes of an Ed25519 private key as providers take it: the 32-byte seed of RFC 8032. */
export const ED25519_PRIVATE_KEY_BYTES = 32;
/** Bytes of an Ed25519 public key (RFC 8032 encoding). */
export const ED25519_PUBLIC_KEY_BYTES = 32;
/** Bytes of an Ed25519 signature. */
export const ED25519_SIGNATURE_BYTES = 64;
/** Bytes of a SHA-256 digest. */
export const SHA256_BYTES = 32;

/**
 * The cryptography core needs, injected by the host (core has no DOM or Node types):
 * `node:crypto` in relays, WebCrypto in browsers. Keys are raw bytes so both sides agree
 * bit for bit: Ed25519 signatures are deterministic, so the same key and data give the same
 * signature everywhere.
 */
export interface CryptoProvider {
  /** SHA-256 of `data`. */
  sha256(data: Uint8Array): Promise<Uint8Array>;
  /** Ed25519 signature of `data` with a 32-byte private key seed. */
  sign(privateKey: Uint8Array, data: Uint8Array): Promise<Uint8Array>;
  /**
   * Whether `signature` is a valid Ed25519 signature of `data` under the 32-byte `publicKey`.
   * Resolves false (never rejects) for malformed keys or signatures.
   */
  verify(publicKey: Uint8Array, signature: Uint8Array, data: Uint8Array): Promise<boolean>;
}

/** A fresh Ed25519 key pair as raw bytes (publishers create one and register the public half). */
export interface SigningKeyPair {
  /** 32-byte seed; keep it secret. */
  privateKey: Uint8Array;
  /** 32-byte public key. */
  publicKey: Uint8Array;
}
