import type { PeerEngineOptions, SegmentCheck } from '../engine/peer-engine-types.ts';
import type { Clock, Logger } from '../engine/types.ts';
import { segmentKey, type SegmentRef, type StreamId } from '../protocol/common.ts';
import { isVerified, type StreamInfo } from '../protocol/stream.ts';
import type { CryptoProvider } from './crypto-provider.ts';
import { fromHex } from './hex.ts';
import { ManifestBook, type IntegrityCheck } from './manifest-book.ts';

/** Default least time between two fetches of one stream's manifest, ms. */
export const DEFAULT_MANIFEST_REFRESH_MS = 1000;

/** How a stream's segments are checked on this node. */
export type VerificationState =
  /** Against a manifest signed by the registered publisher key. */
  | 'verified'
  /** Not at all: the stream was registered without a publisher key. */
  | 'unverified'
  /** The node has not been told about the stream: nothing is accepted from peers. */
  | 'unknown-stream';

/** One stream's figures. */
export interface StreamIntegrityStats {
  streamId: StreamId;
  state: VerificationState;
  /** Highest manifest revision taken in, or -1. */
  revision: number;
  /** Segments that matched the manifest. */
  verified: number;
  /** Segments (or blocks) that did not: bad bytes, dropped and blamed on their sender. */
  rejected: number;
  /** Segments no manifest listed even after a refresh: dropped, nobody blamed. */
  unvouched: number;
  /** Manifest fetches that failed or were refused (bad signature, wrong stream…). */
  manifestErrors: number;
  /** Why the last manifest fetch failed, if it did. */
  lastManifestError?: string;
}

/** What a {@link StreamVerifier} needs from its host. */
export interface StreamVerifierOptions {
  crypto: CryptoProvider;
  /** GETs a manifest URL and resolves with its parsed JSON (validated here, not there). */
  fetchManifest: (url: string) => Promise<unknown>;
  clock: Clock;
  /** Least time between two fetches of one stream's manifest, ms. Default {@link DEFAULT_MANIFEST_REFRESH_MS}. */
  minRefreshMs?: number;
  log?: Logger;
}

interface Keeper {
  publicKey: string;
  manifestUrl: string;
  book: ManifestBook;
  refreshing: Promise<void> | undefined;
  lastFetchAt: number;
  stats: StreamIntegrityStats;
}

const noop: Logger = () => {};

/**
 * Every stream's signed manifests on one node, and the check each segment from a peer passes
 * before it is played, stored or forwarded (`PeerEngineOptions.verifySegment`). A segment the
 * book does not know yet makes it refetch the manifest (coalesced, at most once per
 * `minRefreshMs`), so a live stream's newest segments are vouched for as soon as published.
 * A stream registered without a key is passed through unverified, and says so.
 */
export class StreamVerifier {
  private readonly keepers = new Map<StreamId, Keeper>();
  private readonly unverified = new Map<StreamId, StreamIntegrityStats>();
  private readonly minRefreshMs: number;
  private readonly log: Logger;

  constructor(private readonly options: StreamVerifierOptions) {
    this.minRefreshMs = options.minRefreshMs ?? DEFAULT_MANIFEST_REFRESH_MS;
    this.log = options.log ?? noop;
  }

  /**
   * Tells the verifier how `stream` is vouched for (from the coordinator's stream info). A new
   * key or manifest URL (key rotation) starts a fresh book: nothing the old key signed counts.
   */
  setStream(stream: Pick<StreamInfo, 'id' | 'publicKey' | 'manifestUrl'>): void {
    if (!isVerified(stream)) {
      if (this.keepers.delete(stream.id)) this.log('%s is no longer verified', stream.id);
      if (!this.unverified.has(stream.id)) {
        this.unverified.set(stream.id, emptyStats(stream.id, 'unverified'));
        this.log('%s has no publisher key: its segments are NOT verified', stream.id);
      }
      return;
    }
    const held = this.keepers.get(stream.id);
    if (held && held.publicKey === stream.publicKey && held.manifestUrl === stream.manifestUrl) return;
    this.unverified.delete(stream.id);
    this.keepers.set(stream.id, {
      publicKey: stream.publicKey,
      manifestUrl: stream.manifestUrl,
      book: new ManifestBook({
        streamId: stream.id,
        publicKey: fromHex(stream.publicKey),
        crypto: this.options.crypto,
      }),
      refreshing: undefined,
      lastFetchAt: Number.NEGATIVE_INFINITY,
      stats: emptyStats(stream.id, 'verified'),
    });
    this.log(
      '%s: verifying against %s (key %s…)',
      stream.id,
      stream.manifestUrl,
      stream.publicKey.slice(0, 16),
    );
    // Fetched now, so the first segments from peers need not wait for it.
    void this.prime(stream.id);
  }

  /** Forgets a stream the node no longer serves or watches. */
  dropStream(streamId: StreamId): void {
    this.keepers.delete(streamId);
    this.unverified.delete(streamId);
  }

  /** How `streamId`'s segments are checked. */
  state(streamId: StreamId): VerificationState {
    if (this.keepers.has(streamId)) return 'verified';
    return this.unverified.has(streamId) ? 'unverified' : 'unknown-stream';
  }

  /** Fetches `streamId`'s manifest now (e.g. at join, so the first segment needs no wait). */
  prime(streamId: StreamId): Promise<void> {
    const keeper = this.keepers.get(streamId);
    return keeper ? this.refresh(keeper) : Promise.resolve();
  }

  /**
   * A transfer of `segment` is starting: if no manifest lists it yet (a live stream's newest
   * segment), fetch the manifest now, alongside the transfer, instead of after it.
   */
  expect(segment: SegmentRef): void {
    const keeper = this.keepers.get(segment.streamId);
    if (keeper && !keeper.book.entry(segment)) void this.refresh(keeper);
  }

  /** The check `PeerEngineOptions.verifySegment` takes. */
  readonly check = async (segment: SegmentRef, data: Uint8Array): Promise<SegmentCheck> => {
    return this.judge(segment.streamId, (book) => book.verifySegment(segment, data), segmentKey(segment));
  };

  /**
   * Checks block `index` (cut every `blockBytes`) of a striped segment against its per-block
   * hash, to blame the one source that sent a bad block. `'unknown'` when the manifest has no
   * block hashes of that size: then only the whole-segment check can decide.
   */
  async checkBlock(
    segment: SegmentRef,
    index: number,
    blockBytes: number,
    payload: Uint8Array,
  ): Promise<SegmentCheck> {
    return this.judge(
      segment.streamId,
      (book) => book.verifyBlock(segment, index, blockBytes, payload),
      `${segmentKey(segment)} block ${index}`,
    );
  }

  /** The size the stream's manifest lists for `segment`, if it lists it. */
  sizeOf(segment: SegmentRef): number | undefined {
    return this.keepers.get(segment.streamId)?.book.entry(segment)?.size;
  }

  /**
   * What a peer engine takes from the verifier: the segment check, the per-block check that
   * blames one source of a bad striped segment, and sizes that number a striped pull's blocks.
   */
  engineHooks(): Required<Pick<PeerEngineOptions, 'verifySegment' | 'verifyBlock' | 'segmentSize'>> {
    return {
      verifySegment: this.check,
      verifyBlock: (segment, index, blockBytes, payload) =>
        this.checkBlock(segment, index, blockBytes, payload),
      segmentSize: (segment) => this.sizeOf(segment),
    };
  }

  /** Figures of every stream the verifier knows. */
  stats(): StreamIntegrityStats[] {
    return [
      ...[...this.keepers.values()].map((k) => ({ ...k.stats, revision: k.book.revision })),
      ...this.unverified.values(),
    ].map((s) => ({ ...s }));
  }

  private async judge(
    streamId: StreamId,
    run: (book: ManifestBook) => Promise<IntegrityCheck>,
    what: string,
  ): Promise<SegmentCheck> {
    const keeper = this.keepers.get(streamId);
    if (!keeper) {
      const plain = this.unverified.get(streamId);
      if (!plain) return 'unknown';
      plain.verified += 1;
      return true;
    }
    let result = await run(keeper.book);
    if (!result.ok && result.reason === 'unknown-segment') {
      await this.refresh(keeper);
      if (this.keepers.get(streamId) !== keeper) return 'unknown'; // re-keyed meanwhile
      result = await run(keeper.book);
    }
    if (result.ok) {
      keeper.stats.verified += 1;
      return true;
    }
    if (result.reason === 'unknown-segment' || result.reason === 'no-block-hashes') {
      keeper.stats.unvouched += 1;
      this.log('%s: no manifest vouches for it (%s)', what, result.reason);
      return 'unknown';
    }
    keeper.stats.rejected += 1;
    this.log('%s REJECTED: %s', what, result.reason);
    return false;
  }

  /** One fetch at a time per stream, at most one per `minRefreshMs`; never rejects. */
  private refresh(keeper: Keeper): Promise<void> {
    keeper.refreshing ??= (async () => {
      const { clock } = this.options;
      const wait = keeper.lastFetchAt + this.minRefreshMs - clock.now();
      if (wait > 0) await new Promise<void>((resolve) => clock.setTimeout(resolve, wait));
      keeper.lastFetchAt = clock.now();
      try {
        const added = await keeper.book.add(await this.options.fetchManifest(keeper.manifestUrl));
        if (added.ok) return;
        this.manifestFailed(keeper, `${added.kind}: ${added.message}`);
      } catch (error) {
        this.manifestFailed(keeper, error instanceof Error ? error.message : String(error));
      }
    })().finally(() => {
      keeper.refreshing = undefined;
    });
    return keeper.refreshing;
  }

  private manifestFailed(keeper: Keeper, why: string): void {
    keeper.stats.manifestErrors += 1;
    keeper.stats.lastManifestError = why.slice(0, 200);
    this.log('manifest %s refused: %s', keeper.manifestUrl, why);
  }
}

function emptyStats(streamId: StreamId, state: VerificationState): StreamIntegrityStats {
  return { streamId, state, revision: -1, verified: 0, rejected: 0, unvouched: 0, manifestErrors: 0 };
}
