import type { ClientMessage, NodeId, PlanChanges, StreamId, TieredPlanner } from '@p2pcdn/core';
import { fromPlannerError, SignalingError } from '../errors.ts';
import type { NodeRecord } from '../registry/node-registry.ts';
import type { AckPayload, Coordinator } from './coordinator.ts';

type Msg<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;

/**
 * *Distribute* (claims 14, 36–37): a node whose measured upload load reached the high-water
 * mark asks the coordinator to move part of its children, to warm relays of its farm or to a
 * relay activated for it. Refused without any change when the planner does not grow on request,
 * the node feeds no child in the stream, the load it reports is below the mark, or it asked
 * again within a heartbeat interval.
 */
export function distribute(c: Coordinator, node: NodeRecord, msg: Msg<'distribute'>): AckPayload {
  const planner = check(c, node, msg.streamId);
  if (c.planner.children(msg.streamId, node.id).length === 0) {
    throw new SignalingError('forbidden', `you feed no child in ${msg.streamId}: nothing to distribute`);
  }
  const { highWater } = c.settings.planner;
  if (!(msg.load >= highWater)) {
    throw new SignalingError(
      'conflict',
      `a load of ${msg.load} is below the high-water mark ${highWater}: nothing to distribute`,
    );
  }
  throttle(c, node);
  const changes = plannerCall(c, node, () => planner.distribute(node.id, msg.streamId));
  const changed = changes.assignments.length > 0;
  c.events.add({
    kind: 'distribute',
    streamId: msg.streamId,
    nodeId: node.id,
    message: changed
      ? `${node.name} at load ${fmt(msg.load)} distributed ${moved(changes, node.id)} child(ren) in ${msg.streamId}${activatedText(c, changes)}`
      : `${node.name} at load ${fmt(msg.load)} asked to distribute in ${msg.streamId}: declined (no viewer to move or no relay free)`,
  });
  c.apply(changes, `${node.name} distributed its load`, node.id);
  return { changed };
}

/**
 * *Consolidate* (claims 15, 38–39): a relay whose measured upload load fell to the low-water
 * mark asks to be merged away. Its children move to the other relays of the stream first
 * (make before break), then it is released. Only relays that serve the stream may ask; the
 * planner declines while the relay is fresh or when the rest could not carry the forecast.
 */
export function consolidate(c: Coordinator, node: NodeRecord, msg: Msg<'consolidate'>): AckPayload {
  const planner = check(c, node, msg.streamId);
  if (node.role !== 'relay') {
    throw new SignalingError('forbidden', 'only relays are consolidated; viewers leave instead');
  }
  if (!c.planner.member(msg.streamId, node.id)) {
    throw new SignalingError('forbidden', `you do not serve ${msg.streamId}: nothing to consolidate`);
  }
  const { lowWater } = c.settings.planner;
  if (!(msg.load <= lowWater)) {
    throw new SignalingError(
      'conflict',
      `a load of ${msg.load} is above the low-water mark ${lowWater}: no consolidation`,
    );
  }
  throttle(c, node);
  const changes = plannerCall(c, node, () => planner.consolidate(node.id, msg.streamId));
  const changed = changes.assignments.length > 0 || changes.released.length > 0;
  c.events.add({
    kind: 'consolidate',
    streamId: msg.streamId,
    nodeId: node.id,
    message: !changed
      ? `${node.name} at load ${fmt(msg.load)} asked to consolidate in ${msg.streamId}: declined (too fresh, or the others could not carry the forecast)`
      : changes.released.some((r) => r.nodeId !== node.id)
        ? `${node.name} at load ${fmt(msg.load)} asked to consolidate in ${msg.streamId}: it feeds relays, so ${changes.released
            .filter((r) => r.nodeId !== node.id)
            .map((r) => c.nodes.get(r.nodeId)?.name ?? r.nodeId)
            .join(', ')} merged into it instead`
        : `${node.name} at load ${fmt(msg.load)} consolidated away from ${msg.streamId}: ${moved(changes, node.id)} child(ren) moved first`,
  });
  c.apply(changes, `${node.name} was consolidated`, node.id);
  return { changed };
}

function check(c: Coordinator, node: NodeRecord, streamId: StreamId): TieredPlanner {
  if (!c.streams.get(streamId)) {
    throw new SignalingError('unknown-stream', `no stream "${streamId}" is registered`);
  }
  const planner = c.tiered;
  if (!planner) {
    throw new SignalingError(
      'conflict',
      'this coordinator runs a planner that does not grow or shrink on request',
    );
  }
  if (c.leaving.has(node.id)) throw new SignalingError('conflict', 'this node is leaving');
  return planner;
}

/** One accepted grow/shrink request per node and heartbeat interval; the rest are refused. */
function throttle(c: Coordinator, node: NodeRecord): void {
  const now = c.clock.now();
  if (node.lastGrowShrinkAt !== undefined && now - node.lastGrowShrinkAt < c.settings.heartbeatMs) {
    throw new SignalingError('rate-limited', 'one distribute or consolidate per heartbeat interval');
  }
}

/** Runs the planner operation and only then marks the request as accepted. */
function plannerCall(c: Coordinator, node: NodeRecord, call: () => PlanChanges): PlanChanges {
  let changes: PlanChanges;
  try {
    changes = call();
  } catch (error) {
    throw fromPlannerError(error);
  }
  node.lastGrowShrinkAt = c.clock.now();
  c.touch(node);
  return changes;
}

/** Children that got a new parent other than the subject itself. */
function moved(changes: PlanChanges, subject: NodeId): number {
  return changes.assignments.filter(
    (a) => a.nodeId !== subject && !changes.activated.some((r) => r.nodeId === a.nodeId),
  ).length;
}

function activatedText(c: Coordinator, changes: PlanChanges): string {
  if (changes.activated.length === 0) return '';
  const names = changes.activated.map((r) => c.nodes.get(r.nodeId)?.name ?? r.nodeId);
  return `, activating ${names.join(', ')}`;
}

function fmt(load: number): string {
  return load.toFixed(2);
}
