import type { CancelToken } from '@p2pcdn/core';

/** A {@link CancelToken} together with the switch that cancels it. */
export interface CancelSource {
  readonly token: CancelToken;
  /** Cancels the token; listeners run once, later calls do nothing. */
  cancel(): void;
}

/** Creates a cancel source; a listener added after cancellation runs at once. */
export function createCancelSource(): CancelSource {
  let cancelled = false;
  const listeners: Array<() => void> = [];
  return {
    token: {
      get cancelled() {
        return cancelled;
      },
      onCancel(listener) {
        if (cancelled) listener();
        else listeners.push(listener);
      },
    },
    cancel() {
      if (cancelled) return;
      cancelled = true;
      for (const listener of listeners.splice(0)) listener();
    },
  };
}
