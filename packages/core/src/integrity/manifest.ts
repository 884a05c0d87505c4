import {
  BLOCK_HASH_HEX_DIGITS,
  SegmentManifestSchema,
  SignedManifestSchema,
  type ManifestEntry,
  type SegmentManifest,
  type SignedManifest,
} from '../protocol/manifest.ts';
import { describeIssues } from '../protocol/validate.ts';
import {
  ED25519_PRIVATE_KEY_BYTES,
  ED25519_PUBLIC_KEY_BYTES,
  type CryptoProvider,
} from './crypto-provider.ts';
import { IntegrityError, type IntegrityErrorKind } from './errors.ts';
import { fromHex, toHex } from './hex.ts';

/**
 * Prefix of the signed bytes: a signature over a manifest can never be replayed as a signature
 * over anything else this key signs, and a future format gets a new prefix.
 */
export const MANIFEST_SIGNING_CONTEXT = 'p2pcdn-manifest-v1\n';

/** Outcome of opening a signed manifest. */
export type ManifestCheck =
  | { ok: true; manifest: SegmentManifest }
  | { ok: false; kind: Exclude<IntegrityErrorKind, 'invalid-argument'>; message: string };

/** Options of {@link manifestEntry}. */
export interface ManifestEntryOptions {
  /** Media sequence number in the playlist. */
  sequence?: number;
  /** Also list per-block hashes for blocks of this size (the striping block size). */
  blockBytes?: number;
}

/** The publisher's entry for one segment: its size, SHA-256 and optionally per-block hashes. */
export async function manifestEntry(
  key: string,
  data: Uint8Array,
  crypto: CryptoProvider,
  options: ManifestEntryOptions = {},
): Promise<ManifestEntry> {
  const entry: ManifestEntry = {
    key,
    ...(options.sequence !== undefined && { sequence: options.sequence }),
    size: data.byteLength,
    sha256: toHex(await crypto.sha256(data)),
  };
  const { blockBytes } = options;
  if (blockBytes !== undefined) {
    let hashes = '';
    for (let offset = 0; offset < data.byteLength; offset += blockBytes) {
      hashes += await blockHash(data.subarray(offset, offset + blockBytes), crypto);
    }
    entry.blocks = { bytes: blockBytes, hashes };
  }
  return entry;
}

/** The truncated hash listed for one block (the first 64 bits of its SHA-256, in hex). */
export async function blockHash(block: Uint8Array, crypto: CryptoProvider): Promise<string> {
  return toHex(await crypto.sha256(block)).slice(0, BLOCK_HASH_HEX_DIGITS);
}

/** Key id of a public key: hex of the first 8 bytes of its SHA-256. */
export async function keyIdOf(publicKey: Uint8Array, crypto: CryptoProvider): Promise<string> {
  return toHex((await crypto.sha256(publicKey)).subarray(0, 8));
}

/**
 * Signs `manifest` with the publisher's 32-byte Ed25519 seed. The manifest is validated first
 * (a publisher must not sign something verifiers will refuse); throws `malformed` otherwise.
 */
export async function signManifest(
  manifest: SegmentManifest,
  privateKey: Uint8Array,
  crypto: CryptoProvider,
  publicKey?: Uint8Array,
): Promise<SignedManifest> {
  if (privateKey.byteLength !== ED25519_PRIVATE_KEY_BYTES) {
    throw new IntegrityError(
      'invalid-argument',
      `an Ed25519 private key is ${ED25519_PRIVATE_KEY_BYTES} bytes`,
    );
  }
  const parsed = SegmentManifestSchema.safeParse(manifest);
  if (!parsed.success) throw new IntegrityError('malformed', describeIssues(parsed.error));
  const payload = asciiJson(parsed.data);
  const signature = await crypto.sign(privateKey, signingBytes(payload));
  return {
    payload,
    signature: toHex(signature),
    ...(publicKey && { keyId: await keyIdOf(publicKey, crypto) }),
  };
}

/**
 * Checks a signed manifest from anywhere (HTTP, the coordinator, a peer): its shape, then the
 * signature over the exact payload bytes under `publicKey`, and only then parses the payload.
 * Never throws for bad input; says why it refused.
 */
export async function openSignedManifest(
  input: unknown,
  publicKey: Uint8Array,
  crypto: CryptoProvider,
): Promise<ManifestCheck> {
  if (publicKey.byteLength !== ED25519_PUBLIC_KEY_BYTES) {
    throw new IntegrityError(
      'invalid-argument',
      `an Ed25519 public key is ${ED25519_PUBLIC_KEY_BYTES} bytes`,
    );
  }
  const signed = SignedManifestSchema.safeParse(input);
  if (!signed.success) return { ok: false, kind: 'malformed', message: describeIssues(signed.error) };
  const { payload, signature } = signed.data;
  if (!isAscii(payload)) return { ok: false, kind: 'malformed', message: 'payload is not ASCII' };
  // A provider that throws (a key its platform cannot import…) counts as "does not verify".
  const valid = await Promise.resolve()
    .then(() => crypto.verify(publicKey, fromHex(signature), signingBytes(payload)))
    .catch(() => false);
  if (!valid) return { ok: false, kind: 'bad-signature', message: 'signature does not verify' };
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    return { ok: false, kind: 'malformed', message: 'payload is not JSON' };
  }
  const manifest = SegmentManifestSchema.safeParse(json);
  if (!manifest.success) return { ok: false, kind: 'malformed', message: describeIssues(manifest.error) };
  return { ok: true, manifest: manifest.data };
}

/** The bytes a manifest signature covers: the context prefix and the ASCII payload. */
export function signingBytes(payload: string): Uint8Array {
  const text = MANIFEST_SIGNING_CONTEXT + payload;
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) throw new IntegrityError('malformed', 'signed text must be ASCII');
    out[i] = code;
  }
  return out;
}

/**
 * JSON with every non-ASCII character escaped as `\uXXXX`: the same text on every platform,
 * whose bytes are its character codes (core has no TextEncoder, and needs none).
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function isAscii(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[\u0000-\u007f]*$/.test(text);
}
