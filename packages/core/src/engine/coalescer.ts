import { createCancelSource, type CancelSource } from './cancel.ts';
import { PeerEngineError } from './errors.ts';
import type { CancelToken, Clock, Logger } from './types.ts';

/** How long one caller waits, and its way out. */
export interface WaitOptions {
  /** The caller gets `null` after this many ms; the shared work goes on for other callers. */
  timeoutMs: number;
  /** The caller's promise rejects with a `cancelled` {@link PeerEngineError}. */
  cancel?: CancelToken | undefined;
}

/** Longest delay timers take (2^31 − 1 ms); longer or infinite timeouts are clamped to it. */
const MAX_TIMER_MS = 2_147_483_647;

interface Shared<T> {
  source: CancelSource;
  waiters: number;
  result: Promise<T | null>;
}

/**
 * Runs at most one piece of work per key at a time and lets every caller for that key share it.
 * Each caller has its own timeout and cancel token; when the last caller has left, the work is
 * cancelled (through the token handed to `work`) and forgotten, so the next caller starts afresh.
 */
export class Coalescer<T> {
  private readonly inflight = new Map<string, Shared<T>>();

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Keys with work in flight. */
  get size(): number {
    return this.inflight.size;
  }

  has(key: string): boolean {
    return this.inflight.has(key);
  }

  /**
   * Joins the work for `key`, starting it with `work` if none is running. Resolves with its
   * result (null when the work found nothing or failed), or null on timeout.
   */
  run(key: string, work: (cancel: CancelToken) => Promise<T | null>, wait: WaitOptions): Promise<T | null> {
    if (wait.cancel?.cancelled) return Promise.reject(cancelledError());
    const shared = this.inflight.get(key) ?? this.start(key, work);
    shared.waiters++;
    return new Promise<T | null>((resolve, reject) => {
      let settled = false;
      const settle = (leaveEarly: boolean, finish: () => void): void => {
        if (settled) return;
        settled = true;
        this.clock.clearTimeout(timer);
        shared.waiters--;
        if (leaveEarly && shared.waiters === 0 && this.inflight.get(key) === shared) {
          this.inflight.delete(key);
          shared.source.cancel();
        }
        finish();
      };
      const timer = this.clock.setTimeout(
        () => settle(true, () => resolve(null)),
        Math.min(MAX_TIMER_MS, Math.max(0, wait.timeoutMs)),
      );
      wait.cancel?.onCancel(() => settle(true, () => reject(cancelledError())));
      void shared.result.then((value) => settle(false, () => resolve(value)));
    });
  }

  /** Cancels all work; waiting callers get null. */
  cancelAll(): void {
    const all = [...this.inflight.values()];
    this.inflight.clear();
    for (const shared of all) shared.source.cancel();
  }

  private start(key: string, work: (cancel: CancelToken) => Promise<T | null>): Shared<T> {
    const source = createCancelSource();
    const shared: Shared<T> = { source, waiters: 0, result: Promise.resolve(null) };
    this.inflight.set(key, shared);
    let running: Promise<T | null>;
    try {
      running = work(source.token);
    } catch (err) {
      running = Promise.reject(err);
    }
    shared.result = running
      .catch((err: unknown) => {
        this.log('shared work for %s failed: %O', key, err);
        return null;
      })
      .finally(() => {
        if (this.inflight.get(key) === shared) this.inflight.delete(key);
      });
    return shared;
  }
}

function cancelledError(): PeerEngineError {
  return new PeerEngineError('cancelled', 'cancelled by caller');
}
