import type { Clock, StreamId, StreamInfo } from '@p2pcdn/core';
import createDebug from 'debug';
import { SignalingError } from '../errors.ts';
import { SequenceIndex } from '../registry/sequence-index.ts';
import type { PlaylistSegments } from '../streams/playlist-segments.ts';

const debug = createDebug('p2pcdn:signaling:sequences');

/** Reads a stream's playlist (see `readPlaylistSegments`); the coordinator's only I/O here. */
export type PlaylistReader = (stream: StreamInfo) => Promise<PlaylistSegments>;

interface FeedState {
  /** The stream as it was registered when this state was made (a re-registration starts over). */
  stream: StreamInfo;
  /** Last successful read. */
  readAt: number | undefined;
  /** Last attempt, successful or not. */
  attemptAt: number | undefined;
  live: boolean;
  targetDurationMs: number;
  lastError: string | undefined;
  reading: Promise<void> | undefined;
}

/** Shortest interval between two reads of one playlist (ms), whatever its target duration says. */
const MIN_REREAD_MS = 1000;

/**
 * Keeps the {@link SequenceIndex} fed from the streams' playlists. A stream is read the first time
 * someone asks about it, and, while nodes report holding its segments, again in the background
 * whenever a live playlist is older than its target duration (one read per variant, about what
 * one viewer costs the origin). A failed read is retried after `retryMs`. Reads of one stream
 * never overlap.
 */
export class SequenceFeed {
  readonly index: SequenceIndex;
  private readonly states = new Map<StreamId, FeedState>();
  private readonly retryMs: number;

  constructor(
    private readonly clock: Clock,
    private readonly read: PlaylistReader | undefined,
    options: { maxSequences?: number; retryMs?: number } = {},
  ) {
    this.index = new SequenceIndex(options.maxSequences);
    this.retryMs = options.retryMs ?? 5000;
  }

  /**
   * Resolves once `stream` has been indexed at least once (at once if it has). Throws a
   * `SignalingError` (`unavailable`) when its playlist cannot be read and nothing is indexed yet.
   * An index that is merely old is answered from, and refreshed in the background.
   */
  async ready(stream: StreamInfo): Promise<void> {
    const st = this.state(stream);
    if (st.readAt === undefined && this.read) {
      await this.refresh(st);
      if (st.readAt === undefined && this.index.range(stream.id) === undefined) {
        throw new SignalingError(
          'unavailable',
          `the playlist of ${stream.id} could not be read, so its sequence numbers are unknown: ${st.lastError ?? 'no answer'}`,
        );
      }
    } else if (this.due(st)) {
      void this.refresh(st);
    }
  }

  /** Background refresh of the streams whose index is due (called every heartbeat interval). */
  tick(streams: readonly StreamInfo[]): void {
    for (const stream of streams) {
      const st = this.state(stream);
      if (this.due(st)) void this.refresh(st);
    }
  }

  /** Forgets a removed stream; a read in flight for it is discarded when it ends. */
  drop(streamId: StreamId): void {
    this.states.delete(streamId);
    this.index.drop(streamId);
  }

  private state(stream: StreamInfo): FeedState {
    let st = this.states.get(stream.id);
    if (st && st.stream.url !== stream.url) {
      this.drop(stream.id);
      st = undefined;
    }
    if (!st) {
      st = {
        stream,
        readAt: undefined,
        attemptAt: undefined,
        live: stream.live ?? true,
        targetDurationMs: 2000,
        lastError: undefined,
        reading: undefined,
      };
      this.states.set(stream.id, st);
    }
    return st;
  }

  private due(st: FeedState): boolean {
    if (!this.read || st.reading) return false;
    if (st.attemptAt === undefined) return true;
    const age = this.clock.now() - st.attemptAt;
    if (st.readAt === undefined || st.attemptAt > st.readAt) return age >= this.retryMs;
    return st.live && age >= Math.max(MIN_REREAD_MS, st.targetDurationMs);
  }

  private refresh(st: FeedState): Promise<void> {
    const read = this.read;
    if (!read) return Promise.resolve();
    st.reading ??= (async () => {
      st.attemptAt = this.clock.now();
      try {
        const playlist = await read(st.stream);
        if (this.states.get(st.stream.id) !== st) return; // removed or re-registered meanwhile
        this.index.record(st.stream.id, playlist.segments);
        st.readAt = this.clock.now();
        st.live = playlist.live;
        st.targetDurationMs = playlist.targetDurationMs;
        st.lastError = undefined;
        debug('%s: %d segments indexed', st.stream.id, playlist.segments.length);
      } catch (error) {
        st.lastError = error instanceof Error ? error.message : String(error);
        debug('%s: playlist read failed: %s', st.stream.id, st.lastError);
      } finally {
        st.reading = undefined;
      }
    })();
    return st.reading;
  }
}
