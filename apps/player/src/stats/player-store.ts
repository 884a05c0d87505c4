import type { StreamInfo } from '@p2pcdn/core';
import { createStore } from 'zustand/vanilla';
import type { PlayerErrorInfo } from '../page/player-error.ts';
import { initialFigures, type PlayerFigures } from './figures.ts';

/**
 * The page's state: written by the session (outside React), read by components through
 * `ui/use-player.ts` (kept apart so the session's chunk does not need React).
 */
export interface PlayerState {
  figures: PlayerFigures;
  /** The stream being played, once joined. */
  stream: StreamInfo | null;
  /** Why playback stopped; the page shows it instead of the video. */
  error: PlayerErrorInfo | null;
  /** A passing problem playback survives (e.g. the coordinator dropped and is being retried). */
  notice: string | null;
  setFigures(figures: PlayerFigures): void;
  setStream(stream: StreamInfo): void;
  fail(error: PlayerErrorInfo): void;
  setNotice(notice: string | null): void;
}

/** The one store of the page. */
export const playerStore = createStore<PlayerState>()((set) => ({
  figures: initialFigures(null, 'connecting', 0),
  stream: null,
  error: null,
  notice: null,
  setFigures: (figures) => set({ figures }),
  setStream: (stream) => set({ stream }),
  // The first error is the cause; later ones are usually its consequences.
  fail: (error) => set((state) => (state.error ? {} : { error, notice: null })),
  setNotice: (notice) => set({ notice }),
}));
