import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as edSign,
  verify as edVerify,
} from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  ED25519_PRIVATE_KEY_BYTES,
  ED25519_PUBLIC_KEY_BYTES,
  ED25519_SIGNATURE_BYTES,
  IntegrityError,
  PublisherKeyFileSchema,
  describeIssues,
  fromHex,
  toHex,
  type CryptoProvider,
  type SigningKeyPair,
} from '@p2pcdn/core';
import createDebug from 'debug';

const debug = createDebug('p2pcdn:signaling:publisher-key');

/** DER prefix of a PKCS #8 Ed25519 private key; the 32-byte seed follows (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** DER prefix of an SPKI Ed25519 public key; the 32-byte key follows (RFC 8410). */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * The coordinator's and the demo origin's {@link CryptoProvider} on `node:crypto`. (Relays have
 * their own in `packages/worker`, which the coordinator must not depend on.)
 */
export const nodeCrypto: CryptoProvider = {
  sha256: (data) => Promise.resolve(new Uint8Array(createHash('sha256').update(data).digest())),
  sign(privateKey, data) {
    if (privateKey.byteLength !== ED25519_PRIVATE_KEY_BYTES) {
      return Promise.reject(
        new IntegrityError('invalid-argument', 'an Ed25519 private key is a 32-byte seed'),
      );
    }
    const key = createPrivateKey({
      key: Buffer.concat([PKCS8_ED25519_PREFIX, privateKey]),
      format: 'der',
      type: 'pkcs8',
    });
    return Promise.resolve(new Uint8Array(edSign(null, data, key)));
  },
  verify(publicKey, signature, data) {
    if (
      publicKey.byteLength !== ED25519_PUBLIC_KEY_BYTES ||
      signature.byteLength !== ED25519_SIGNATURE_BYTES
    ) {
      return Promise.resolve(false);
    }
    try {
      const key = createPublicKey({
        key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]),
        format: 'der',
        type: 'spki',
      });
      return Promise.resolve(edVerify(null, data, key, signature));
    } catch {
      return Promise.resolve(false);
    }
  },
};

/** A fresh Ed25519 key pair as raw bytes. */
export function generatePublisherKey(): SigningKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return {
    privateKey: new Uint8Array(pkcs8.subarray(PKCS8_ED25519_PREFIX.length)),
    publicKey: new Uint8Array(spki.subarray(SPKI_ED25519_PREFIX.length)),
  };
}

/** Reads a key file (`PublisherKeyFileSchema`); throws `IntegrityError('malformed')` if it is not one. */
export async function readPublisherKey(file: string): Promise<SigningKeyPair> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw error;
    throw new IntegrityError('malformed', `${file} is not JSON`, { cause: error });
  }
  const parsed = PublisherKeyFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new IntegrityError('malformed', `${file} is not a publisher key: ${describeIssues(parsed.error)}`);
  }
  const pair = { privateKey: fromHex(parsed.data.privateKey), publicKey: fromHex(parsed.data.publicKey) };
  // A file whose halves do not belong together would sign manifests nobody can verify.
  const probe = Uint8Array.of(1, 2, 3);
  const signature = await nodeCrypto.sign(pair.privateKey, probe);
  if (!(await nodeCrypto.verify(pair.publicKey, signature, probe))) {
    throw new IntegrityError('malformed', `${file}: the public key does not match the private key`);
  }
  return pair;
}

/**
 * The publisher key kept in `file`: read if it exists, otherwise generated and written (owner
 * read/write only, via a temporary file and a rename so a crash never leaves half a key). A
 * key that exists but cannot be read is an error, never silently replaced: viewers trust it.
 */
export async function loadOrCreatePublisherKey(file: string): Promise<SigningKeyPair> {
  try {
    return await readPublisherKey(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const pair = generatePublisherKey();
  await mkdir(path.dirname(file), { recursive: true });
  const body = PublisherKeyFileSchema.parse({
    type: 'p2pcdn-ed25519',
    publicKey: toHex(pair.publicKey),
    privateKey: toHex(pair.privateKey),
    createdAt: Date.now(),
  });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  await rename(temporary, file);
  debug('generated publisher key %s in %s', body.publicKey, file);
  return pair;
}
