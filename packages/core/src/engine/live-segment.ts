/** How a {@link LiveSegment} ended. */
export type LiveSegmentEnd =
  | { ok: true }
  /** The upstream transfer failed, was cancelled, or the segment failed verification. */
  | { ok: false; reason: string };

/** Watches one {@link LiveSegment}. */
export interface LiveSegmentObserver {
  /** More bytes became forwardable (`forwardable` grew). */
  onProgress(): void;
  /** The segment is complete and verified (`ok`), or will never be. Called once, last. */
  onEnd(end: LiveSegmentEnd): void;
}

/**
 * A segment still arriving from a parent, shared with the children it is forwarded to while it
 * arrives (cut-through forwarding). `data` is the receive buffer itself (no copy): bytes below
 * `received` are final.
 *
 * Verification composes with forwarding by holding back the segment's last byte: children get
 * every byte but the last as it arrives, and the last one only once the whole segment passed the
 * engine's `verifySegment` check. So a relay never completes a transfer of a segment it knows (or
 * cannot yet know) is bad; when the check fails, the children's transfers are aborted instead. A
 * child still verifies the segment itself before it stores, plays or forwards it.
 */
export class LiveSegment {
  /** Bytes received from the parent so far. */
  private receivedBytes = 0;
  private ended: LiveSegmentEnd | undefined;
  private readonly observers = new Set<LiveSegmentObserver>();

  /** @param data the buffer the parent's frames are written into, `size` bytes long. */
  constructor(readonly data: Uint8Array) {}

  get size(): number {
    return this.data.byteLength;
  }

  get received(): number {
    return this.receivedBytes;
  }

  /** How it ended, once it did. */
  get end(): LiveSegmentEnd | undefined {
    return this.ended;
  }

  /**
   * Bytes children may be sent: everything received, except the last byte until the segment is
   * complete and verified; nothing more after a failure.
   */
  get forwardable(): number {
    if (this.ended?.ok) return this.size;
    return Math.min(this.receivedBytes, Math.max(0, this.size - 1));
  }

  /** Watches progress and the end; returns an unsubscriber. An ended segment calls `onEnd` at once. */
  observe(observer: LiveSegmentObserver): () => void {
    if (this.ended) {
      observer.onEnd(this.ended);
      return () => {};
    }
    this.observers.add(observer);
    return () => {
      this.observers.delete(observer);
    };
  }

  /** The receiver wrote bytes up to `received` (monotonic, at most `size`). */
  progress(received: number): void {
    if (this.ended || received <= this.receivedBytes) return;
    const before = this.forwardable;
    this.receivedBytes = Math.min(this.size, received);
    if (this.forwardable > before) for (const o of [...this.observers]) o.onProgress();
  }

  /** Every byte arrived and passed verification: the last byte may now be forwarded. */
  complete(): void {
    if (this.receivedBytes !== this.size) {
      this.fail(`completed with ${this.receivedBytes} of ${this.size} bytes`);
      return;
    }
    this.finish({ ok: true });
  }

  /** The segment will never be complete (or is bad): children's transfers must be aborted. */
  fail(reason: string): void {
    this.finish({ ok: false, reason });
  }

  private finish(end: LiveSegmentEnd): void {
    if (this.ended) return;
    this.ended = end;
    const observers = [...this.observers];
    this.observers.clear();
    for (const o of observers) o.onEnd(end);
  }
}

/**
 * The segments arriving from parents right now, by coalescing key, and the callers waiting for
 * one to start arriving (a child's fetch-through starts forwarding as soon as it does).
 */
export class LiveSegments {
  private readonly byKey = new Map<string, LiveSegment>();
  private readonly waiters = new Map<string, Set<(live: LiveSegment) => void>>();

  get(key: string): LiveSegment | undefined {
    return this.byKey.get(key);
  }

  /** Registers `live` under `key` until it ends, and hands it to everyone waiting for `key`. */
  add(key: string, live: LiveSegment): void {
    if (live.end) return;
    this.byKey.set(key, live);
    live.observe({
      onProgress: () => {},
      onEnd: () => {
        if (this.byKey.get(key) === live) this.byKey.delete(key);
      },
    });
    const waiting = this.waiters.get(key);
    if (!waiting) return;
    this.waiters.delete(key);
    for (const waiter of waiting) waiter(live);
  }

  /** Calls `waiter` once when a segment starts arriving for `key`; returns an unsubscriber. */
  waitFor(key: string, waiter: (live: LiveSegment) => void): () => void {
    let set = this.waiters.get(key);
    if (!set) {
      set = new Set();
      this.waiters.set(key, set);
    }
    const entry = (live: LiveSegment): void => waiter(live);
    set.add(entry);
    return () => {
      const current = this.waiters.get(key);
      if (!current) return;
      current.delete(entry);
      if (current.size === 0) this.waiters.delete(key);
    };
  }

  /** Fails every live segment (the engine is going away). */
  failAll(reason: string): void {
    const all = [...this.byKey.values()];
    this.byKey.clear();
    this.waiters.clear();
    for (const live of all) live.fail(reason);
  }
}
