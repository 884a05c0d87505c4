/**
 * Cost of integrity checks on this machine: SHA-256 throughput (whole segments and striping
 * blocks) through node:crypto, WebCrypto and the ManifestBook path, and Ed25519 verifications
 * per second. Run: `npx tsx packages/worker/bench/hash-throughput.ts [--seconds 2]`.
 */
import { createHash, webcrypto } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ManifestBook, manifestEntry, signManifest } from '@p2pcdn/core';
import { NodeCryptoProvider, generateSigningKeyPair } from '../src/crypto-node.ts';

const secondsFlag = process.argv.indexOf('--seconds');
const SECONDS = secondsFlag > 0 ? Number(process.argv[secondsFlag + 1]) : 2;
const SEGMENT = 2 * 1024 * 1024;
const BLOCK = 16 * 1024;
const MB = 1e6;

/** A rate per wall-clock second and per second of CPU time (the honest figure on a busy host). */
interface Rate {
  wall: number;
  cpu: number;
}

/** Runs `fn` (which processes `units` of work) for SECONDS after a warm-up; units per second. */
async function rate(units: number, fn: () => unknown): Promise<Rate> {
  const warmUntil = performance.now() + 300;
  while (performance.now() < warmUntil) await fn();
  let done = 0;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const until = start + SECONDS * 1000;
  while (performance.now() < until) {
    await fn();
    done += units;
  }
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { wall: done / ((performance.now() - start) / 1000), cpu: done / cpuSeconds };
}

const throughput = (bytes: number, fn: () => unknown): Promise<Rate> => rate(bytes / MB, fn);
const opsPerSecond = (fn: () => unknown): Promise<Rate> => rate(1, fn);

const segment = Uint8Array.from({ length: SEGMENT }, (_, i) => (i * 131) % 256);
const block = segment.subarray(0, BLOCK);
const crypto = new NodeCryptoProvider();
const keys = generateSigningKeyPair();
const url = 'http://127.0.0.1:8081/vod/seg-0.m4s';
const signed = await signManifest(
  {
    version: 1,
    streamId: 'bench',
    seq: 1,
    issuedAt: 0,
    entries: [await manifestEntry(url, segment, crypto)],
  },
  keys.privateKey,
  crypto,
);
const book = new ManifestBook({ streamId: 'bench', publicKey: keys.publicKey, crypto });
await book.add(signed);
const ref = { streamId: 'bench', url };
const data = new Uint8Array(256);
const signature = await crypto.sign(keys.privateKey, data);

console.log(`node ${process.version}, ${SECONDS} s per figure, load average ${loadavg()[0]?.toFixed(1)}`);
const results = {
  'node:crypto sha256, 2 MiB segments (MB/s)': await throughput(SEGMENT, () =>
    createHash('sha256').update(segment).digest(),
  ),
  'node:crypto sha256, 16 KiB blocks (MB/s)': await throughput(BLOCK, () =>
    createHash('sha256').update(block).digest(),
  ),
  'WebCrypto sha256 in Node, 2 MiB segments (MB/s)': await throughput(SEGMENT, () =>
    webcrypto.subtle.digest('SHA-256', segment),
  ),
  'ManifestBook.verifySegment, 2 MiB (MB/s)': await throughput(SEGMENT, async () => {
    if (!(await book.verifySegment(ref, segment)).ok) throw new Error('verification failed');
  }),
  'Ed25519 verify, 256 B (ops/s)': await opsPerSecond(() => crypto.verify(keys.publicKey, signature, data)),
};
for (const [name, value] of Object.entries(results)) {
  console.log(`${name}: ${value.wall.toFixed(0)} per wall second, ${value.cpu.toFixed(0)} per CPU second`);
}
