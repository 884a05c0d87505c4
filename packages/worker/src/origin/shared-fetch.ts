import {
  createCancelSource,
  segmentKey,
  type CancelSource,
  type CancelToken,
  type OriginFetch,
  type SegmentRef,
} from '@p2pcdn/core';
import { WorkerError } from '../errors.ts';

interface Flight {
  source: CancelSource;
  promise: Promise<Uint8Array>;
  /** Callers still waiting. */
  waiters: number;
  /** Callers still waiting when the data arrived: they all receive it. */
  receivers: number;
}

/** A shared transfer's outcome for one caller. */
export interface SharedResult {
  data: Uint8Array;
  /** Another caller received the same transfer (and accounts for its bytes). */
  shared: boolean;
}

/**
 * Makes concurrent origin fetches of one segment share a single transfer, so a relay's live
 * prefetch and its engine's fetch-through for a child never download a segment twice. The
 * transfer is cancelled only when every caller has cancelled.
 */
export class SharedOriginFetch {
  private readonly flights = new Map<string, Flight>();

  constructor(private readonly fetchOne: OriginFetch) {}

  /** An {@link OriginFetch} over the shared transfers, for the engine. */
  readonly fetch: OriginFetch = async (segment, cancel) => (await this.join(segment, cancel)).data;

  /** Transfers in flight. */
  get size(): number {
    return this.flights.size;
  }

  /** Joins (or starts) the transfer of `segment`. */
  join(segment: SegmentRef, cancel?: CancelToken): Promise<SharedResult> {
    if (cancel?.cancelled) return Promise.reject(cancelled(segment));
    const key = `${segment.streamId} ${segmentKey(segment)}`;
    let flight = this.flights.get(key);
    if (!flight) {
      const source = createCancelSource();
      const started = Promise.resolve().then(() => this.fetchOne(segment, source.token));
      const entry: Flight = { source, promise: started, waiters: 0, receivers: 0 };
      const forget = (): void => {
        if (this.flights.get(key) === entry) this.flights.delete(key);
      };
      // Registered before any waiter's callback, so it counts the waiters about to receive the data.
      started.then(() => {
        entry.receivers = entry.waiters;
        forget();
      }, forget);
      this.flights.set(key, entry);
      flight = entry;
    }
    const current = flight;
    current.waiters++;
    return new Promise<SharedResult>((resolve, reject) => {
      let done = false;
      const leave = (): boolean => {
        if (done) return false;
        done = true;
        current.waiters--;
        return true;
      };
      cancel?.onCancel(() => {
        if (!leave()) return;
        if (current.waiters === 0) {
          this.flights.delete(key);
          current.source.cancel();
        }
        reject(cancelled(segment));
      });
      current.promise.then(
        (data) => {
          if (leave()) resolve({ data, shared: current.receivers > 1 });
        },
        (error: unknown) => {
          if (leave()) reject(error);
        },
      );
    });
  }
}

function cancelled(segment: SegmentRef): WorkerError {
  return new WorkerError('cancelled', `fetch of ${segment.url} cancelled`);
}
