import type { CryptoProvider } from '../integrity/crypto-provider.ts';
import { fromHex, toHex } from '../integrity/hex.ts';
import { signManifest } from '../integrity/manifest.ts';
import type { SegmentManifest } from '../protocol/manifest.ts';

/** RFC 8032 §7.1 Ed25519 test vectors 1-3: seed, public key, message, signature (hex). */
export const ED25519_VECTORS = [
  {
    seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    seed: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    seed: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    publicKey: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
] as const;

/** A manifest signed with RFC 8032 key 1, and the signature every provider must produce for it. */
export const MANIFEST_VECTOR: { manifest: SegmentManifest; signature: string } = {
  manifest: {
    version: 1,
    streamId: 'demo-vod',
    seq: 7,
    issuedAt: 1_700_000_000_000,
    entries: [
      {
        key: 'http://127.0.0.1:8081/vod/seg-0.m4s',
        sequence: 0,
        size: 3,
        sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      },
    ],
  },
  signature:
    'b63990dfca77253d19e4b26c4f4f94dcbd41f47f04135e2d07464fe0d5fb707e9fdbdc83a111d4488466bc0f3fb286bff71aa578e5782d782722bd6523d39d0f',
};

/** 1 MiB whose byte i is i % 251, and its SHA-256. */
const MIB_SHA256 = '631b84027d6b9e52b539c4e8373622d23032dfadc64d60af87339c9037e4f769';

/**
 * Runs a {@link CryptoProvider} against known answers (FIPS 180 SHA-256, RFC 8032 Ed25519, a
 * signed manifest) and tamper cases. Returns what failed; empty means the provider agrees bit
 * for bit with every other conforming provider.
 */
export async function cryptoProviderConformance(crypto: CryptoProvider): Promise<string[]> {
  const failures: string[] = [];
  const expectEqual = (what: string, actual: string | boolean, expected: string | boolean): void => {
    if (actual !== expected) failures.push(`${what}: got ${String(actual)}, expected ${String(expected)}`);
  };
  const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
  const mib = Uint8Array.from({ length: 1 << 20 }, (_, i) => i % 251);

  expectEqual(
    'sha256("")',
    toHex(await crypto.sha256(new Uint8Array(0))),
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  );
  expectEqual(
    'sha256("abc")',
    toHex(await crypto.sha256(ascii('abc'))),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  );
  expectEqual('sha256(1 MiB)', toHex(await crypto.sha256(mib)), MIB_SHA256);
  expectEqual(
    'sha256(view into a larger buffer)',
    toHex(await crypto.sha256(mib.subarray(0, 0))),
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  );

  for (const [i, v] of ED25519_VECTORS.entries()) {
    const seed = fromHex(v.seed);
    const publicKey = fromHex(v.publicKey);
    const message = fromHex(v.message);
    const signature = await crypto.sign(seed, message);
    expectEqual(`RFC 8032 test ${i + 1} signature`, toHex(signature), v.signature);
    expectEqual(
      `RFC 8032 test ${i + 1} verifies`,
      await crypto.verify(publicKey, fromHex(v.signature), message),
      true,
    );
    const tampered = Uint8Array.from([...message, 0]);
    expectEqual(
      `RFC 8032 test ${i + 1} with a changed message`,
      await crypto.verify(publicKey, signature, tampered),
      false,
    );
    const badSignature = fromHex(v.signature);
    badSignature[5] = (badSignature[5] ?? 0) ^ 1;
    expectEqual(
      `RFC 8032 test ${i + 1} with a changed signature`,
      await crypto.verify(publicKey, badSignature, message),
      false,
    );
  }
  const other = fromHex(ED25519_VECTORS[1].publicKey);
  const v1 = ED25519_VECTORS[0];
  expectEqual(
    'a signature under another key',
    await crypto.verify(other, fromHex(v1.signature), new Uint8Array(0)),
    false,
  );
  expectEqual(
    'a short public key',
    await crypto.verify(new Uint8Array(31), fromHex(v1.signature), new Uint8Array(0)),
    false,
  );
  expectEqual(
    'a short signature',
    await crypto.verify(fromHex(v1.publicKey), new Uint8Array(63), new Uint8Array(0)),
    false,
  );

  const signed = await signManifest(MANIFEST_VECTOR.manifest, fromHex(v1.seed), crypto);
  expectEqual('manifest signature', signed.signature, MANIFEST_VECTOR.signature);
  return failures;
}
