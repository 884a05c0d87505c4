import { SetupTimeEstimator } from '@p2pcdn/core';

/** Where the typical WebRTC setup time is kept between visits. */
const STORAGE_KEY = 'p2pcdn:webrtc-setup-ms';
/** The guess before this browser ever measured a setup: STUN-assisted setups take a few hundred ms. */
export const DEFAULT_SETUP_MS = 500;

/** The part of `Storage` used (localStorage in the page). */
export type StorageLike = Pick<Storage, 'getItem' | 'setItem'>;

/**
 * A {@link SetupTimeEstimator} seeded with what this browser measured on earlier visits, so the
 * startup wait fits this viewer's network from the first segment on. Storage that is missing,
 * blocked or holds nonsense falls back to {@link DEFAULT_SETUP_MS}.
 */
export function rememberedSetupEstimator(storage: StorageLike | undefined): SetupTimeEstimator {
  let stored: number | undefined;
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    const value = raw === null || raw === undefined ? Number.NaN : Number(raw);
    if (Number.isFinite(value) && value > 0) stored = value;
  } catch {
    // Storage blocked (privacy settings): start from the default.
  }
  return stored === undefined
    ? new SetupTimeEstimator({ typicalMs: DEFAULT_SETUP_MS })
    : new SetupTimeEstimator({ typicalMs: stored, measured: true });
}

/** Keeps `typicalMs` for the next visit (best effort). */
export function rememberSetupMs(storage: StorageLike | undefined, typicalMs: number): void {
  try {
    storage?.setItem(STORAGE_KEY, String(Math.round(typicalMs)));
  } catch {
    // Quota or privacy settings: the next visit starts from the default.
  }
}

/** `window.localStorage`, or undefined where reading it throws. */
export function pageStorage(): StorageLike | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}
