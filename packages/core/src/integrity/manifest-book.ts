import { segmentKey, type SegmentKey, type SegmentRef, type StreamId } from '../protocol/common.ts';
import { BLOCK_HASH_HEX_DIGITS, type ManifestEntry } from '../protocol/manifest.ts';
import type { CryptoProvider } from './crypto-provider.ts';
import { IntegrityError } from './errors.ts';
import { toHex } from './hex.ts';
import { blockHash, openSignedManifest, type ManifestCheck } from './manifest.ts';

/** Entries a book keeps per stream by default (a live window of a few minutes, or a film). */
export const DEFAULT_MANIFEST_BOOK_ENTRIES = 8192;

/** Why a segment or block was refused. */
export type SegmentRefusal =
  /** No verified manifest lists it (yet): it cannot be vouched for. */
  | 'unknown-segment'
  | 'size-mismatch'
  | 'hash-mismatch'
  /** The manifest has no per-block hashes (or none for this block size): only whole segments can be checked. */
  | 'no-block-hashes';

/** Outcome of a check. */
export type IntegrityCheck = { ok: true } | { ok: false; reason: SegmentRefusal };

/** Settings of a {@link ManifestBook}. */
export interface ManifestBookOptions {
  streamId: StreamId;
  /** The publisher's 32-byte Ed25519 public key, as registered with the stream. */
  publicKey: Uint8Array;
  crypto: CryptoProvider;
  /** Entries kept; the oldest are forgotten first. Default {@link DEFAULT_MANIFEST_BOOK_ENTRIES}. */
  maxEntries?: number;
}

interface HeldEntry {
  entry: ManifestEntry;
  /** Revision of the manifest it came from. */
  revision: number;
}

/**
 * The verified manifests of one stream, merged: what every node consults before it plays,
 * stores or forwards a segment. Only manifests signed by the stream's key get in; a later
 * revision overrides an earlier one's entry for the same segment, never the other way round.
 */
export class ManifestBook {
  readonly streamId: StreamId;
  private readonly entries = new Map<SegmentKey, HeldEntry>();
  private readonly maxEntries: number;
  private newestRevision = -1;

  constructor(private readonly options: ManifestBookOptions) {
    this.streamId = options.streamId;
    this.maxEntries = options.maxEntries ?? DEFAULT_MANIFEST_BOOK_ENTRIES;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) {
      throw new IntegrityError(
        'invalid-argument',
        `maxEntries must be a positive integer, got ${this.maxEntries}`,
      );
    }
  }

  /** Number of segments the book can vouch for. */
  get size(): number {
    return this.entries.size;
  }

  /** Highest manifest revision taken in, or -1. */
  get revision(): number {
    return this.newestRevision;
  }

  /** Verifies a signed manifest and takes in its entries; says why when it refuses. */
  async add(signed: unknown): Promise<ManifestCheck> {
    const check = await openSignedManifest(signed, this.options.publicKey, this.options.crypto);
    if (!check.ok) return check;
    const { manifest } = check;
    if (manifest.streamId !== this.streamId) {
      return {
        ok: false,
        kind: 'wrong-stream',
        message: `manifest of ${manifest.streamId}, not ${this.streamId}`,
      };
    }
    for (const entry of manifest.entries) {
      const held = this.entries.get(entry.key);
      if (held && held.revision > manifest.seq) continue;
      this.entries.delete(entry.key); // re-inserted last: the most recently vouched-for stay longest
      this.entries.set(entry.key, { entry, revision: manifest.seq });
    }
    this.newestRevision = Math.max(this.newestRevision, manifest.seq);
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(key);
    }
    return check;
  }

  /** The entry for a segment, if a verified manifest lists it. */
  entry(segment: SegmentRef): ManifestEntry | undefined {
    return this.entries.get(segmentKey(segment))?.entry;
  }

  /** Checks a whole segment's size and SHA-256 against its entry. */
  async verifySegment(segment: SegmentRef, data: Uint8Array): Promise<IntegrityCheck> {
    const entry = this.entry(segment);
    if (!entry || segment.streamId !== this.streamId) return refuse('unknown-segment');
    if (data.byteLength !== entry.size) return refuse('size-mismatch');
    const digest = toHex(await this.options.crypto.sha256(data));
    return digest === entry.sha256 ? { ok: true } : refuse('hash-mismatch');
  }

  /**
   * Checks block `index` of a segment cut every `blockBytes` against the entry's per-block
   * hash, so a bad block can be blamed on its sender before the segment is complete. The
   * whole-segment check still decides whether the segment is used.
   */
  async verifyBlock(
    segment: SegmentRef,
    index: number,
    blockBytes: number,
    payload: Uint8Array,
  ): Promise<IntegrityCheck> {
    const entry = this.entry(segment);
    if (!entry || segment.streamId !== this.streamId) return refuse('unknown-segment');
    if (!entry.blocks || entry.blocks.bytes !== blockBytes) return refuse('no-block-hashes');
    const count = Math.ceil(entry.size / blockBytes);
    if (!Number.isInteger(index) || index < 0 || index >= count) return refuse('size-mismatch');
    const expectedLength = Math.min(blockBytes, entry.size - index * blockBytes);
    if (payload.byteLength !== expectedLength) return refuse('size-mismatch');
    const at = index * BLOCK_HASH_HEX_DIGITS;
    const expected = entry.blocks.hashes.slice(at, at + BLOCK_HASH_HEX_DIGITS);
    return (await blockHash(payload, this.options.crypto)) === expected
      ? { ok: true }
      : refuse('hash-mismatch');
  }

  /**
   * The check in the shape `PeerEngineOptions.verifySegment` takes: true only for a segment a
   * verified manifest lists with this size and hash.
   */
  segmentVerifier(): (segment: SegmentRef, data: Uint8Array) => Promise<boolean> {
    return async (segment, data) => (await this.verifySegment(segment, data)).ok;
  }
}

function refuse(reason: SegmentRefusal): IntegrityCheck {
  return { ok: false, reason };
}
