import type { NodeId, StreamId } from '../protocol/index.ts';
import { PlannerError } from './errors.ts';
import { exclusionKey } from './plan-state.ts';
import { adoptOriginFed, placeOrphans, placeRelay, placeViewer } from './tiered/attach.ts';
import { Stripe, type TStream } from './tiered/core.ts';
import { consolidate, distribute, provision } from './tiered/grow-shrink.ts';
import { syncHeadFeeds } from './tiered/head-feeds.ts';
import type { TieredPlannerOptions } from './tiered/options.ts';
import { StripeRecorder } from './tiered/recorder.ts';
import { TieredViews } from './tiered/views.ts';
import {
  noChanges,
  type PlanChanges,
  type PlannerNode,
  type PlannerStream,
  type TreePlanner,
} from './types.ts';

/** Viewers the origin feeds that one departure tries to move under peers. */
const ADOPT_PER_DEPARTURE = 4;

/**
 * The coordinator's tree planner (seed 000): per stream and stripe, a tree of tiers from the
 * origin down. Relays are *activated* from an idle pool by the number and regions of the viewers
 * (biggest first, so they fill the upper tiers), the origin feeds stripe 0's head (the heads of the
 * other stripes are fed by stripe-0 relays: see {@link syncHeadFeeds}), relays fill
 * the shallowest free relay slots and viewers the deepest farm of their region (round-robin or
 * least load), so paths stay short and the origin sends about one copy. Each viewer has one
 * parent per stripe; a relay serves one stripe of a stream when there are enough of them. A
 * node's capacity is shared over every stripe and stream it serves.
 *
 * Grows and shrinks on request ({@link distribute}, {@link consolidate}) and ahead of the load
 * ({@link provision}, from a {@link LoadForecaster}). Fresh relays are *warming* for
 * `warmupMs`: new viewers prefer warm parents. Pure and deterministic: time and randomness are
 * injected. Every change is reported with its edges, additions first (make before break).
 */
export class TieredPlanner extends TieredViews implements TreePlanner {
  constructor(options: TieredPlannerOptions) {
    super(options);
  }

  // ── streams and nodes ───────────────────────────────────────────────────────────────────

  addStream(stream: PlannerStream): PlanChanges {
    if (this.core.streams.has(stream.id)) {
      throw new PlannerError('duplicate-stream', `stream ${stream.id} exists`);
    }
    if (!(Number.isFinite(stream.bitrateKbps) && stream.bitrateKbps > 0)) {
      throw new RangeError(`stream ${stream.id}: bitrate must be a positive number`);
    }
    const stripes = stream.stripes ?? this.core.opts.stripes;
    if (!(Number.isInteger(stripes) && stripes >= 1 && stripes <= 16)) {
      throw new RangeError(`stream ${stream.id}: stripes must be an integer from 1 to 16`);
    }
    this.core.streams.set(stream.id, {
      stream: { ...stream, stripes },
      cost: stream.bitrateKbps / stripes,
      stripes: Array.from({ length: stripes }, (_, i) => new Stripe(i)),
      viewers: new Set(),
      viewersByRegion: new Map(),
      capableTabs: new Set(),
      provisioned: 0,
      fedHeads: new Set(),
      unfedHeads: new Set(),
    });
    return noChanges();
  }

  removeStream(streamId: StreamId): PlanChanges {
    const st = this.core.stream(streamId);
    const rec = new StripeRecorder();
    this.teardown(rec, st);
    this.core.streams.delete(streamId);
    return this.finish(rec);
  }

  addNode(node: PlannerNode): PlanChanges {
    if (this.core.nodes.has(node.id)) throw new PlannerError('duplicate-node', `node ${node.id} exists`);
    if (!(Number.isFinite(node.uploadKbps) && node.uploadKbps >= 0)) {
      throw new RangeError(`node ${node.id}: upload must be a non-negative number`);
    }
    const entry = this.core.newEntry(node);
    const rec = new StripeRecorder();
    if (node.role === 'relay') {
      this.core.pool.offer(node.id, entry.region, node.uploadKbps, entry.seq);
      for (const st of this.core.streams.values()) {
        for (const stripe of st.stripes) adoptOriginFed(this.core, rec, st, stripe);
      }
    }
    return this.finish(rec);
  }

  removeNode(nodeId: NodeId): PlanChanges {
    const entry = this.core.entry(nodeId);
    const rec = new StripeRecorder();
    entry.drainingAll = true; // neither a parent nor in the pool while its children move
    for (const streamId of [...entry.memberIn.keys()])
      this.dropMember(rec, this.core.stream(streamId), nodeId);
    this.core.dropEntry(entry);
    this.forgetExclusions((key, parent) => key.endsWith(`\u0000${nodeId}`) || parent === nodeId);
    return this.finish(rec);
  }

  // ── viewers ─────────────────────────────────────────────────────────────────────────────

  join(nodeId: NodeId, streamId: StreamId): PlanChanges {
    const entry = this.core.entry(nodeId);
    const st = this.core.stream(streamId);
    if (entry.node.role !== 'viewer') {
      throw new PlannerError('not-a-viewer', `${nodeId} is a relay: relays are activated, they do not join`);
    }
    if (st.viewers.has(nodeId)) return noChanges();
    const rec = new StripeRecorder();
    st.viewers.add(nodeId);
    st.viewersByRegion.set(entry.region, (st.viewersByRegion.get(entry.region) ?? 0) + 1);
    const minTab = this.core.opts.minTabFanout;
    if (minTab > 0 && this.core.fanout(entry, st) >= minTab) st.capableTabs.add(nodeId);
    for (const stripe of st.stripes) this.core.addMember(rec, st, stripe, nodeId);
    for (const stripe of st.stripes) placeViewer(this.core, rec, st, stripe, nodeId);
    return this.finish(rec);
  }

  leave(nodeId: NodeId, streamId: StreamId): PlanChanges {
    const entry = this.core.entry(nodeId);
    const st = this.core.stream(streamId);
    if (!entry.memberIn.has(streamId))
      throw new PlannerError('not-a-member', `${nodeId} is not in ${streamId}`);
    const rec = new StripeRecorder();
    this.dropMember(rec, st, nodeId);
    return this.finish(rec);
  }

  drain(nodeId: NodeId, streamId?: StreamId): PlanChanges {
    const entry = this.core.entry(nodeId);
    let streamIds: StreamId[];
    if (streamId === undefined) {
      entry.drainingAll = true;
      streamIds = [...entry.memberIn.keys()];
    } else {
      this.core.stream(streamId);
      if (!entry.memberIn.has(streamId))
        throw new PlannerError('not-a-member', `${nodeId} is not in ${streamId}`);
      entry.draining.add(streamId);
      streamIds = [streamId];
    }
    const rec = new StripeRecorder();
    for (const id of streamIds) {
      const st = this.core.stream(id);
      for (const stripe of st.stripes) {
        placeOrphans(this.core, rec, st, stripe, this.core.detachChildren(rec, st, stripe, nodeId));
      }
    }
    return this.finish(rec);
  }

  parentFailed(nodeId: NodeId, streamId: StreamId, parentId: NodeId): PlanChanges {
    const entry = this.core.entry(nodeId);
    const st = this.core.stream(streamId);
    if (!entry.memberIn.has(streamId))
      throw new PlannerError('not-a-member', `${nodeId} is not in ${streamId}`);
    const stripes = st.stripes.filter((s) => s.tree.has(nodeId) && s.tree.parentOf(nodeId) === parentId);
    if (stripes.length === 0) {
      throw new PlannerError('not-the-parent', `${parentId} is not a parent of ${nodeId} in ${streamId}`);
    }
    const key = exclusionKey(streamId, nodeId);
    let avoided = this.core.exclusions.get(key);
    if (!avoided) this.core.exclusions.set(key, (avoided = new Map()));
    avoided.set(parentId, this.core.now() + this.core.opts.failedParentExclusionMs);
    const rec = new StripeRecorder();
    for (const stripe of stripes) {
      this.core.detach(rec, st, stripe, nodeId);
      if (entry.node.role === 'relay') placeRelay(this.core, rec, st, stripe, nodeId);
      else placeViewer(this.core, rec, st, stripe, nodeId);
    }
    return this.finish(rec);
  }

  // ── grow, shrink, predict ───────────────────────────────────────────────────────────────

  /**
   * A node reports load at or above its high-water mark: a relay is activated next to it and
   * takes part of its viewers (moved make-before-break: see {@link PlanChanges.edges}). With
   * `streamId`, only that stream's stripes are considered.
   */
  distribute(nodeId: NodeId, streamId?: StreamId): PlanChanges {
    const rec = new StripeRecorder();
    distribute(this.core, rec, nodeId, streamId);
    return this.finish(rec);
  }

  /**
   * A node reports load at or below its low-water mark: its children move to other parents
   * first, then it is deactivated. Declined (no changes) while the node is fresh or when the
   * remaining capacity would fall short of the stream's forecast. With `streamId`, only that
   * stream's stripes are left.
   */
  consolidate(nodeId: NodeId, streamId?: StreamId): PlanChanges {
    const rec = new StripeRecorder();
    consolidate(this.core, rec, nodeId, streamId);
    return this.finish(rec);
  }

  /**
   * The forecaster expects `expectedViewers` on `streamId` over the coming period: relays are
   * activated now so that the capacity is warm when they arrive.
   */
  provision(streamId: StreamId, expectedViewers: number): PlanChanges {
    const rec = new StripeRecorder();
    provision(this.core, rec, streamId, expectedViewers);
    return this.finish(rec);
  }

  // ── internals ───────────────────────────────────────────────────────────────────────────

  /** `nodeId` stops watching and serving `st`; its children are re-placed. */
  private dropMember(rec: StripeRecorder, st: TStream, nodeId: NodeId): void {
    const entry = this.core.entry(nodeId);
    if (st.viewers.delete(nodeId)) {
      const left = (st.viewersByRegion.get(entry.region) ?? 1) - 1;
      if (left > 0) st.viewersByRegion.set(entry.region, left);
      else st.viewersByRegion.delete(entry.region);
      st.capableTabs.delete(nodeId);
      if (st.viewers.size === 0) {
        this.teardown(rec, st);
        return;
      }
    }
    const orphans = st.stripes.map((stripe) => this.core.removeMember(rec, st, stripe, nodeId));
    entry.draining.delete(st.stream.id);
    this.core.offerIfIdle(nodeId);
    for (const [i, stripe] of st.stripes.entries())
      placeOrphans(this.core, rec, st, stripe, orphans[i] ?? []);
    for (const stripe of st.stripes) adoptOriginFed(this.core, rec, st, stripe, ADOPT_PER_DEPARTURE);
  }

  /** Takes every member out of every stripe of `st` and releases it. */
  private teardown(rec: StripeRecorder, st: TStream): void {
    const streamId = st.stream.id;
    for (const stripe of st.stripes) {
      const ids = [...stripe.tree.members()];
      for (const id of ids) rec.release(streamId, id);
      for (const id of ids) this.core.removeMember(rec, st, stripe, id);
    }
    for (const entry of this.core.nodes.values()) {
      entry.draining.delete(streamId);
      if (entry.node.role === 'relay') this.core.offerIfIdle(entry.node.id);
    }
    st.viewers.clear();
    st.viewersByRegion.clear();
    st.capableTabs.clear();
    st.provisioned = 0;
    st.fedHeads.clear();
    st.unfedHeads.clear();
    this.forgetExclusions((key) => key.startsWith(`${streamId}\u0000`));
  }

  private forgetExclusions(match: (key: string, parent: NodeId) => boolean): void {
    for (const [key, avoided] of this.core.exclusions) {
      for (const parent of avoided.keys()) if (match(key, parent)) avoided.delete(parent);
      if (avoided.size === 0) this.core.exclusions.delete(key);
    }
  }

  private finish(rec: StripeRecorder): PlanChanges {
    for (const st of this.core.streams.values()) syncHeadFeeds(this.core, rec, st);
    return rec.finish(this);
  }
}
