import type { Clock, NodeId, StreamId } from '@p2pcdn/core';

interface Waiter {
  streamId: StreamId;
  child: NodeId;
  parent: NodeId;
  settle: (confirmed: boolean) => void;
}

/**
 * Waits for children to confirm (`connected`) a new parent, so a graceful leave can hold on until
 * its children have moved (make-before-break). A wait ends with `true` on confirmation, `false`
 * on timeout or when either node goes away or the child reports the parent as failed.
 */
export class Confirmations {
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly clock: Clock) {}

  wait(streamId: StreamId, child: NodeId, parent: NodeId, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        streamId,
        child,
        parent,
        settle: (confirmed) => {
          this.clock.clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(confirmed);
        },
      };
      const timer = this.clock.setTimeout(() => waiter.settle(false), timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** `child` confirmed `parent` in `streamId`. */
  confirm(streamId: StreamId, child: NodeId, parent: NodeId): void {
    this.settleWhere((w) => w.streamId === streamId && w.child === child && w.parent === parent, true);
  }

  /** `child` will not confirm `parent` (it reported it as failed). */
  fail(streamId: StreamId, child: NodeId, parent: NodeId): void {
    this.settleWhere((w) => w.streamId === streamId && w.child === child && w.parent === parent, false);
  }

  /** `nodeId` is gone: waits that involve it end unconfirmed. */
  dropNode(nodeId: NodeId): void {
    this.settleWhere((w) => w.child === nodeId || w.parent === nodeId, false);
  }

  get pending(): number {
    return this.waiters.size;
  }

  private settleWhere(match: (w: Waiter) => boolean, confirmed: boolean): void {
    for (const waiter of [...this.waiters]) if (match(waiter)) waiter.settle(confirmed);
  }
}
