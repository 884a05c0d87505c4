import type { NodeId, ParentReadiness, SetupTimeEstimator, StreamId } from '@p2pcdn/core';
import type { ParentStatus } from './parent-gate.ts';

/** The agent's current view of one stream, as the tracker reads it. */
export interface AssignmentView {
  /** Parents the coordinator assigned (connected or not yet). */
  parents: readonly NodeId[];
  /** The coordinator lets this node pull from the origin itself. */
  origin: boolean;
}

/** What the tracker reads from the node agent and the engine. */
export interface ParentTrackerDeps {
  /** Milliseconds on the page's clock. */
  now: () => number;
  /** The latest assignment in `streamId`, if any. */
  assignment: (streamId: StreamId) => AssignmentView | undefined;
  /** Whether a parent link is open in `streamId` (the engine's view). */
  hasParents: (streamId: StreamId) => boolean;
  /** Learns how long WebRTC setups take here. */
  estimator: SetupTimeEstimator;
  /** Called with the new estimate after each measured setup (e.g. to keep it for the next visit). */
  onSetupMeasured?: (typicalMs: number) => void;
}

/**
 * Tells the parent gate where this tab stands on its way to a parent in each stream, from the
 * node agent's events: joining (waiting for an assignment), parents assigned but connecting (and
 * since when), connected, or none coming. It also measures each parent's setup, assignment to
 * open link, into the {@link SetupTimeEstimator} the gate's startup wait is based on.
 */
export class ParentTracker implements ParentStatus {
  /** Streams being joined (signalling under way) whose first assignment has not arrived, with when. */
  private readonly joins = new Map<StreamId, number>();
  /** When each assigned, not yet connected parent was first assigned, per stream. */
  private readonly pending = new Map<StreamId, Map<NodeId, number>>();
  /** Streams whose parents all went away, with when (a new assignment is on its way). */
  private readonly orphaned = new Map<StreamId, number>();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly deps: ParentTrackerDeps) {}

  /**
   * The session is joining `streamId`: from now until its first assignment, segments may wait
   * (briefly) for the parents the coordinator is about to assign.
   */
  joining(streamId: StreamId): void {
    if (!this.joins.has(streamId)) this.joins.set(streamId, this.deps.now());
    this.changed();
  }

  /** The join failed or the stream was released: nothing is coming. */
  stopped(streamId: StreamId): void {
    this.joins.delete(streamId);
    this.pending.delete(streamId);
    this.orphaned.delete(streamId);
    this.changed();
  }

  /** The coordinator (re)assigned parents in `streamId`. */
  assigned(streamId: StreamId, parents: readonly NodeId[]): void {
    const now = this.deps.now();
    this.joins.delete(streamId);
    const before = this.pending.get(streamId) ?? new Map<NodeId, number>();
    const after = new Map<NodeId, number>();
    for (const id of parents) after.set(id, before.get(id) ?? now);
    this.pending.set(streamId, after);
    if (parents.length > 0) this.orphaned.delete(streamId);
    this.changed();
  }

  /** A parent link opened: one setup measured. */
  parentOpened(streamId: StreamId, peerId: NodeId): void {
    const since = this.pending.get(streamId)?.get(peerId);
    if (since !== undefined) {
      this.pending.get(streamId)?.delete(peerId);
      this.deps.estimator.record(this.deps.now() - since);
      this.deps.onSetupMeasured?.(this.deps.estimator.typicalMs);
    }
    this.changed();
  }

  /** A parent link closed; if it was the last one, a new assignment is awaited from now. */
  parentClosed(streamId: StreamId): void {
    if (!this.deps.hasParents(streamId) && !this.orphaned.has(streamId)) {
      this.orphaned.set(streamId, this.deps.now());
    }
    this.changed();
  }

  readiness(streamId: StreamId): ParentReadiness {
    if (this.deps.hasParents(streamId)) return { state: 'connected' };
    // Until the first assignment arrives (it follows the join's ack), parents are on their way,
    // whatever the agent lists meanwhile.
    const joiningSince = this.joins.get(streamId);
    if (joiningSince !== undefined) return { state: 'assigning', sinceMs: joiningSince };
    const assignment = this.deps.assignment(streamId);
    if (!assignment) return { state: 'none' };
    if (assignment.parents.length > 0) {
      const pending = this.pending.get(streamId);
      const times = assignment.parents.map((id) => pending?.get(id) ?? this.deps.now());
      return { state: 'connecting', sinceMs: Math.min(...times) };
    }
    if (assignment.origin) return { state: 'none' };
    // Parents failed or left and the coordinator is choosing new ones.
    const since = this.orphaned.get(streamId);
    return since === undefined ? { state: 'none' } : { state: 'assigning', sinceMs: since };
  }

  typicalSetupMs(): number {
    return this.deps.estimator.typicalMs;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
