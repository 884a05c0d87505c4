import type { CancelToken, Clock, TimerHandle } from './types.ts';

/** A {@link CancelToken} whose `onCancel` also hands back a function that removes the listener. */
export interface DisposableCancelToken extends CancelToken {
  /** Calls `listener` once on cancellation (at once if already cancelled); returns an unsubscriber. */
  onCancel(listener: () => void): () => void;
}

/** The owner's side of a cancellation: hand out `token`, call `cancel()` to fire it. */
export interface CancelSource {
  readonly token: DisposableCancelToken;
  readonly cancelled: boolean;
  /** Fires every listener once; later calls do nothing. */
  cancel(): void;
}

/** Creates a fresh, uncancelled {@link CancelSource}. */
export function createCancelSource(): CancelSource {
  let cancelled = false;
  let listeners = new Set<() => void>();
  const token: DisposableCancelToken = {
    get cancelled() {
      return cancelled;
    },
    onCancel(listener) {
      if (cancelled) {
        listener();
        return () => {};
      }
      // Wrapped so each registration (even of the same function) has its own unsubscriber.
      const entry = (): void => listener();
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
  };
  return {
    token,
    get cancelled() {
      return cancelled;
    },
    cancel() {
      if (cancelled) return;
      cancelled = true;
      const fire = listeners;
      listeners = new Set();
      let failure: unknown;
      let failed = false;
      for (const listener of fire) {
        try {
          listener();
        } catch (err) {
          // Every listener must run even if one throws; the first error surfaces afterwards.
          if (!failed) {
            failed = true;
            failure = err;
          }
        }
      }
      if (failed) throw failure;
    },
  };
}

/** A token that is never cancelled, for callers that pass none. */
export const NEVER_CANCELLED: CancelToken = {
  cancelled: false,
  onCancel() {},
};

/**
 * A source that is cancelled when any of `parents` is cancelled, or after `timeoutMs` on `clock`
 * when given. Call `dispose()` once done so the timer is cleared.
 */
export function linkedCancelSource(
  parents: readonly (CancelToken | undefined)[],
  timeout?: { clock: Clock; ms: number },
): CancelSource & { dispose(): void } {
  const source = createCancelSource();
  let timer: TimerHandle | undefined;
  const dispose = (): void => {
    if (timer !== undefined && timeout) timeout.clock.clearTimeout(timer);
    timer = undefined;
  };
  for (const parent of parents) {
    if (!parent) continue;
    if (parent.cancelled) {
      source.cancel();
      break;
    }
    // Foreign tokens cannot be unsubscribed; cancelling an already-cancelled source is a no-op.
    parent.onCancel(() => source.cancel());
  }
  if (timeout && !source.cancelled) {
    timer = timeout.clock.setTimeout(() => {
      timer = undefined;
      source.cancel();
    }, timeout.ms);
  }
  source.token.onCancel(dispose);
  return Object.assign(source, { dispose });
}
