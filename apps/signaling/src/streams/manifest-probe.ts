import {
  fromHex,
  MAX_MANIFEST_CHARS,
  openSignedManifest,
  type CryptoProvider,
  type StreamId,
} from '@p2pcdn/core';
import { ProbeError, readLimited, request, type ProbeOptions } from './probe.ts';

/** What a manifest probe found: the revision and how many segments it vouches for. */
export interface ManifestProbeResult {
  revision: number;
  entries: number;
}

/**
 * Checks, before a stream is registered with a publisher key, that `url` serves a manifest
 * signed by that key for that stream: a typo in either would otherwise make every viewer refuse
 * every segment. Throws {@link ProbeError} (`bad-manifest`, or a fetch failure).
 */
export async function probeManifest(
  url: string,
  streamId: StreamId,
  publicKeyHex: string,
  crypto: CryptoProvider,
  options: ProbeOptions,
): Promise<ManifestProbeResult> {
  const ctx = { ...options, signal: AbortSignal.timeout(options.timeoutMs) };
  const res = await request(url, 'GET', ctx);
  if (!res.ok) {
    await res.body?.cancel();
    throw new ProbeError('bad-manifest', `the manifest ${url} answered HTTP ${res.status}`);
  }
  const bytes = await readLimited(res, MAX_MANIFEST_CHARS + 4096, url);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new ProbeError('bad-manifest', `the manifest ${url} is not JSON`);
  }
  const check = await openSignedManifest(json, fromHex(publicKeyHex), crypto);
  if (!check.ok) {
    const why = check.kind === 'bad-signature' ? 'is not signed by the given public key' : check.message;
    throw new ProbeError('bad-manifest', `the manifest ${url} ${why}`);
  }
  if (check.manifest.streamId !== streamId) {
    throw new ProbeError(
      'bad-manifest',
      `the manifest ${url} is for stream "${check.manifest.streamId}", not "${streamId}"`,
    );
  }
  return { revision: check.manifest.seq, entries: check.manifest.entries.length };
}
