import { assertNever, type ClientMessage, type NodeId, type StreamId } from '@p2pcdn/core';
import createDebug from 'debug';
import { fromPlannerError, SignalingError } from '../errors.ts';
import type { NodeRecord } from '../registry/node-registry.ts';
import { applyStats } from '../registry/traffic.ts';
import type { AckPayload, Coordinator } from './coordinator.ts';
import { consolidate, distribute } from './grow-shrink.ts';
import { answerToc } from './toc-query.ts';

const debug = createDebug('p2pcdn:signaling:handlers');

type Msg<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;

const OK = {} as const;

/**
 * One function per message type. Each checks everything first and throws a SignalingError
 * without touching state when the message is refused; only then does it act.
 */
export function handleMessage(
  c: Coordinator,
  node: NodeRecord,
  msg: ClientMessage,
): AckPayload | Promise<AckPayload> {
  switch (msg.type) {
    case 'hello':
      throw new SignalingError('already-registered', `this connection already said hello as node ${node.id}`);
    case 'join':
      return join(c, node, msg);
    case 'leave':
      return leave(c, node, msg);
    case 'signal':
      return signal(c, node, msg);
    case 'have':
      return have(c, node, msg);
    case 'toc-query':
      return tocQuery(c, node, msg);
    case 'stats':
      return stats(c, node, msg);
    case 'connected':
      return connected(c, node, msg);
    case 'parent-failed':
      return parentFailed(c, node, msg);
    case 'distribute':
      return distribute(c, node, msg);
    case 'consolidate':
      return consolidate(c, node, msg);
    case 'misbehaviour':
      c.misbehaviour.report(node, msg);
      return OK;
    default:
      return assertNever(msg, 'client message');
  }
}

function requireStream(c: Coordinator, streamId: StreamId) {
  const stream = c.streams.get(streamId);
  if (!stream) throw new SignalingError('unknown-stream', `no stream "${streamId}" is registered`);
  return stream;
}

function plannerCall<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw fromPlannerError(error);
  }
}

function join(c: Coordinator, node: NodeRecord, msg: Msg<'join'>): AckPayload {
  const stream = requireStream(c, msg.streamId);
  if (node.role !== 'viewer') {
    throw new SignalingError(
      'forbidden',
      'relays do not join streams: the coordinator activates them where needed',
    );
  }
  if (c.leaving.has(node.id)) throw new SignalingError('conflict', 'this node is leaving');
  const changes = plannerCall(() => c.planner.join(node.id, msg.streamId));
  c.touch(node);
  c.apply(changes, `${node.name} joined`, node.id);
  const mine = changes.assignments.find((a) => a.nodeId === node.id && a.streamId === msg.streamId);
  if (mine) {
    c.forecasts.recordJoin(msg.streamId);
    const from = mine.origin ? 'the origin' : (c.nodes.get(mine.parents[0]?.id ?? '')?.name ?? 'a peer');
    c.events.add({
      kind: 'join',
      streamId: msg.streamId,
      nodeId: node.id,
      message: `viewer ${node.name} joined ${msg.streamId} at tier ${mine.tier}, pulling from ${from}`,
    });
  } else {
    // Joining again (e.g. after the player restarted its engine): repeat the current assignment.
    const current = c.planner.assignment(msg.streamId, node.id);
    if (current) {
      node.link.send({
        type: 'parents',
        streamId: msg.streamId,
        stream,
        parents: current.parents,
        origin: current.origin,
      });
    }
  }
  return { stream };
}

async function leave(c: Coordinator, node: NodeRecord, msg: Msg<'leave'>): Promise<AckPayload> {
  const { streamId } = msg;
  if (c.leaving.has(node.id)) throw new SignalingError('conflict', 'this node is already leaving');
  if (streamId !== undefined) {
    requireStream(c, streamId);
    if (!c.planner.member(streamId, node.id)) {
      throw new SignalingError('conflict', `this node is not in the tree of ${streamId}`);
    }
  }
  c.leaving.add(node.id);
  c.touch(node);
  try {
    // Make before break: children get their new parents first; wait for their confirmations.
    const changes = plannerCall(() => c.planner.drain(node.id, streamId));
    c.apply(changes, `${node.name} is leaving`, node.id);
    const waits = changes.assignments.flatMap((a) =>
      a.parents.map((p) => c.confirmations.wait(a.streamId, a.nodeId, p.id, c.settings.leaveTimeoutMs)),
    );
    const confirmed = (await Promise.all(waits)).filter(Boolean).length;
    debug('%s leaving: %d of %d moves confirmed', node.id, confirmed, waits.length);
    if (!c.nodes.has(node.id)) return OK; // disconnected meanwhile: already removed
    if (streamId === undefined) {
      c.removeNode(node.id, 'left');
    } else if (c.planner.member(streamId, node.id)) {
      if (c.planner.member(streamId, node.id)?.watching) c.forecasts.recordLeave(streamId);
      c.apply(c.planner.leave(node.id, streamId), `${node.name} left ${streamId}`, node.id);
      c.events.add({
        kind: 'leave',
        streamId,
        nodeId: node.id,
        message: `${node.role} ${node.name} left ${streamId}`,
      });
    }
    return OK;
  } finally {
    c.leaving.delete(node.id);
  }
}

function signal(c: Coordinator, node: NodeRecord, msg: Msg<'signal'>): AckPayload {
  requireStream(c, msg.streamId);
  if (!c.planner.isEdge(msg.streamId, node.id, msg.to)) {
    throw new SignalingError('forbidden', `no planned edge between you and ${msg.to} in ${msg.streamId}`);
  }
  const target = c.nodes.get(msg.to);
  if (!target) throw new SignalingError('unknown-peer', `node ${msg.to} is not connected`);
  c.touch(node);
  target.link.send({ type: 'signal', from: node.id, streamId: msg.streamId, signal: msg.signal });
  return OK;
}

function have(c: Coordinator, node: NodeRecord, msg: Msg<'have'>): AckPayload {
  requireStream(c, msg.streamId);
  if (node.role !== 'relay' && !c.planner.member(msg.streamId, node.id)) {
    throw new SignalingError('forbidden', `a viewer reports holdings only for streams it watches`);
  }
  c.touch(node);
  c.toc.update(msg.streamId, node.id, msg.added, msg.removed);
  return OK;
}

async function tocQuery(c: Coordinator, node: NodeRecord, msg: Msg<'toc-query'>): Promise<AckPayload> {
  requireStream(c, msg.streamId);
  if (node.role !== 'relay' && !c.planner.member(msg.streamId, node.id)) {
    throw new SignalingError('forbidden', 'a viewer asks about holders only of streams it watches');
  }
  const toc = await answerToc(c, {
    streamId: msg.streamId,
    from: msg.from,
    limit: msg.limit,
    asker: node.id,
  });
  c.touch(node);
  return { toc };
}

function stats(c: Coordinator, node: NodeRecord, msg: Msg<'stats'>): AckPayload {
  c.touch(node);
  const memberOf = c.planner.streamsOf(node.id);
  const deltas = applyStats(node.traffic, msg.stats, c.clock.now(), memberOf);
  for (const delta of deltas) {
    // Only streams the node is in count: a node cannot inflate another stream's figures.
    if (memberOf.includes(delta.streamId)) c.figures.add(node.role, delta);
  }
  return OK;
}

function connected(c: Coordinator, node: NodeRecord, msg: Msg<'connected'>): AckPayload {
  requireStream(c, msg.streamId);
  const member = c.planner.member(msg.streamId, node.id);
  // Striped plans give a node one parent per stripe: any of them may be confirmed.
  const planned = member?.stripes ? member.stripes.map((s) => s.parent) : [member?.parent];
  if (!planned.includes(msg.parentId)) {
    throw new SignalingError('conflict', `${msg.parentId} is not your planned parent in ${msg.streamId}`);
  }
  c.touch(node);
  c.confirmParent(msg.streamId, node.id, msg.parentId);
  return OK;
}

function parentFailed(c: Coordinator, node: NodeRecord, msg: Msg<'parent-failed'>): AckPayload {
  requireStream(c, msg.streamId);
  const failedName = nameOf(c, msg.parentId);
  const changes = plannerCall(() => c.planner.parentFailed(node.id, msg.streamId, msg.parentId));
  c.touch(node);
  c.confirmations.fail(msg.streamId, node.id, msg.parentId);
  const mine = changes.assignments.find((a) => a.nodeId === node.id && a.streamId === msg.streamId);
  const to = mine
    ? mine.origin
      ? 'the origin'
      : mine.parents.map((p) => nameOf(c, p.id)).join(', ')
    : 'nobody';
  c.events.add({
    kind: 'reparent',
    streamId: msg.streamId,
    nodeId: node.id,
    message: `${node.name} could not use ${failedName} (${msg.reason || 'no reason given'}); now pulls from ${to}`,
  });
  c.apply(changes, `${node.name} reported ${failedName} as failed`, node.id);
  return OK;
}

function nameOf(c: Coordinator, id: NodeId): string {
  return c.nodes.get(id)?.name ?? id;
}
