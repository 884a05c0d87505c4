import {
  manifestEntry,
  signManifest,
  STRIPE_DEFAULT_BLOCK_BYTES,
  type CryptoProvider,
  type ManifestEntry,
  type SignedManifest,
  type SigningKeyPair,
  type StreamId,
} from '@p2pcdn/core';
import createDebug from 'debug';
import type { OriginMedia } from './origin-media.ts';
import type { OriginStreamName } from './stats.ts';

const debug = createDebug('p2pcdn:origin:manifest');

/** What {@link OriginManifests} signs with and for. */
export interface OriginManifestsOptions {
  media: OriginMedia;
  /** The origin's base URL: manifest keys are the segments' absolute URLs under it. */
  baseUrl: string;
  key: SigningKeyPair;
  crypto: CryptoProvider;
  /** The coordinator's stream id of each origin stream (the manifest names it). */
  streamIds: Record<OriginStreamName, StreamId>;
  /** Per-block hashes for this block size. Default the striping default. */
  blockBytes?: number;
  /** Milliseconds since the epoch, for `issuedAt`. */
  now: () => number;
}

/**
 * The demo origin as a publisher: a signed manifest per stream. The VOD's lists every segment
 * and is signed once; the live one lists the segments served now (the playlist's window and
 * those retained behind it) and is re-signed, with a higher revision, each time the window
 * slides. Entries are hashed once per live sequence number and kept while it is served.
 */
export class OriginManifests {
  private vod: Promise<SignedManifest> | undefined;
  private live: { last: number; signed: Promise<SignedManifest> } | undefined;
  private readonly liveEntries = new Map<number, Promise<ManifestEntry>>();
  private readonly blockBytes: number;

  constructor(private readonly options: OriginManifestsOptions) {
    this.blockBytes = options.blockBytes ?? STRIPE_DEFAULT_BLOCK_BYTES;
  }

  /** Absolute URL of `stream`'s file `name` (how playlists' relative URIs resolve). */
  url(stream: OriginStreamName, name: string): string {
    return `${this.options.baseUrl}/${stream}/${name}`;
  }

  /** The signed manifest of `stream` now. */
  manifest(stream: OriginStreamName): Promise<SignedManifest> {
    return stream === 'vod' ? this.vodManifest() : this.liveManifest();
  }

  private vodManifest(): Promise<SignedManifest> {
    this.vod ??= (async () => {
      const { clip } = this.options.media;
      const entries = [await this.entry(this.url('vod', 'init.mp4'), clip.init)];
      for (const segment of clip.segments) {
        entries.push(
          await this.entry(this.url('vod', `seg-${segment.index}.m4s`), segment.data, segment.index),
        );
      }
      return this.sign('vod', 0, entries);
    })();
    this.vod.catch(() => (this.vod = undefined));
    return this.vod;
  }

  private liveManifest(): Promise<SignedManifest> {
    const { media } = this.options;
    const window = media.liveWindow();
    if (this.live?.last === window.last) return this.live.signed;
    for (const sequence of this.liveEntries.keys()) {
      if (sequence < window.oldestServed) this.liveEntries.delete(sequence);
    }
    const signed = (async () => {
      const entries = [await this.entry(this.url('live', 'init.mp4'), media.init())];
      for (let sequence = window.oldestServed; sequence <= window.last; sequence += 1) {
        let entry = this.liveEntries.get(sequence);
        if (!entry) {
          const lookup = media.segment('live', sequence);
          if (!lookup.found) continue; // slid out while we were hashing
          entry = this.entry(this.url('live', `seg-${sequence}.m4s`), lookup.data, sequence);
          this.liveEntries.set(sequence, entry);
        }
        entries.push(await entry);
      }
      // The newest segment's sequence number orders revisions: a later window signs higher.
      return this.sign('live', window.last + 1, entries);
    })();
    this.live = { last: window.last, signed };
    signed.catch(() => {
      if (this.live?.signed === signed) this.live = undefined;
    });
    return signed;
  }

  private entry(url: string, data: Uint8Array, sequence?: number): Promise<ManifestEntry> {
    return manifestEntry(url, data, this.options.crypto, {
      blockBytes: this.blockBytes,
      ...(sequence !== undefined && { sequence }),
    });
  }

  private async sign(
    stream: OriginStreamName,
    seq: number,
    entries: ManifestEntry[],
  ): Promise<SignedManifest> {
    const { key, crypto, streamIds, now } = this.options;
    const signed = await signManifest(
      { version: 1, streamId: streamIds[stream], seq, issuedAt: Math.max(0, Math.round(now())), entries },
      key.privateKey,
      crypto,
      key.publicKey,
    );
    debug('signed %s manifest revision %d (%d entries)', stream, seq, entries.length);
    return signed;
  }
}
