import { useStore } from 'zustand/react';
import { playerStore, type PlayerState } from '../stats/player-store.ts';

/** Reads a slice of the player state in a component. */
export function usePlayer<T>(selector: (state: PlayerState) => T): T {
  return useStore(playerStore, selector);
}
