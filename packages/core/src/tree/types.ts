import type { NodeId, NodeRole, Parent, Region, StreamId } from '../protocol/index.ts';

/**
 * The tree planner decides, per stream, which node pulls from which: relays are activated into
 * tiers below the origin, viewers are attached where there is spare upload. It is pure logic
 * (no I/O, time injected): the coordinator feeds it events and applies the {@link PlanChanges}
 * it returns by messaging the nodes concerned.
 */

/** What the planner knows about a node. */
export interface PlannerNode {
  id: NodeId;
  role: NodeRole;
  /** Upload the node is willing to spend on children, summed over every stream it serves (kbit/s). */
  uploadKbps: number;
  region?: Region;
}

/** What the planner knows about a stream. */
export interface PlannerStream {
  id: StreamId;
  /** Bitrate one child costs its parent (kbit/s). */
  bitrateKbps: number;
  /**
   * Stripes the stream is cut into: each viewer pulls stripe `i` from its own parent, and a child
   * in one stripe costs its parent `bitrateKbps / stripes`. Planners that do not stripe use 1.
   */
  stripes?: number;
  /** Region of the origin, so the first tier can be placed near it. */
  region?: Region;
}

/** A node's complete set of parents in one stream, as the `parents` message carries it. */
export interface ParentAssignment {
  streamId: StreamId;
  nodeId: NodeId;
  /** Peers to pull from (empty when the node pulls from the origin only). */
  parents: Parent[];
  /** The node fetches from the origin over HTTP itself. */
  origin: boolean;
  /** 1 for nodes fed by the origin, parent's tier + 1 below (the deepest stripe when striped). */
  tier: number;
  /**
   * Striped plans: the node's parent and tier in every stripe it is in (`parent: null`: the
   * origin). `parents` then lists the distinct peers among them, in stripe order.
   */
  stripes?: MemberStripe[];
}

/** A (stream, node) pair. */
export interface StreamNodeRef {
  streamId: StreamId;
  nodeId: NodeId;
}

/** What one planner operation changed; the coordinator turns it into messages. */
export interface PlanChanges {
  /** Nodes whose parent set changed or who just entered a tree: send each its full new set. */
  assignments: ParentAssignment[];
  /** Relays that started serving a stream in this operation (they also appear in `assignments`). */
  activated: StreamNodeRef[];
  /**
   * Edges this operation adds and removes, when the planner reports them: every addition comes
   * before every removal, so a coordinator that follows the list connects before it cuts
   * (make before break).
   */
  edges?: EdgeChange[];
  /**
   * Nodes that no longer serve a stream (relays whose stream lost its last viewer, or every member
   * of a removed stream). Never the subject of the operation itself.
   */
  released: StreamNodeRef[];
}

/** An edge of a stream tree; `from: null` is the origin. */
export interface PlanEdge {
  streamId: StreamId;
  from: NodeId | null;
  to: NodeId;
  /** The stripe the edge carries, in striped plans. */
  stripe?: number;
}

/** One edge a planner operation adds or removes; `from: null` is the origin. */
export interface EdgeChange {
  op: 'add' | 'remove';
  streamId: StreamId;
  stripe: number;
  from: NodeId | null;
  to: NodeId;
}

/** A member's place in one stripe of a striped plan. */
export interface MemberStripe {
  stripe: number;
  /** Parent in this stripe, or `null` when fed by the origin. */
  parent: NodeId | null;
  tier: number;
}

/** One member of a stream tree. */
export interface PlanMember {
  id: NodeId;
  role: NodeRole;
  /** Parent id, or `null` when fed by the origin. */
  parent: NodeId | null;
  tier: number;
  /** Viewers watch the stream; relays only serve it. */
  watching: boolean;
  /**
   * Striped plans: the member's place in every stripe it belongs to (viewers: all of them;
   * relays: those they serve). `parent` and `tier` above then describe the first of these.
   */
  stripes?: MemberStripe[];
}

/** Read access to the current plan. */
export interface PlanView {
  /** Streams the planner knows. */
  streamIds(): StreamId[];
  /** Members of one stream's tree, in no particular order. */
  members(streamId: StreamId): PlanMember[];
  member(streamId: StreamId, nodeId: NodeId): PlanMember | undefined;
  children(streamId: StreamId, nodeId: NodeId): NodeId[];
  edges(streamId: StreamId): PlanEdge[];
  /** Whether `a` and `b` are parent and child (either way round) in `streamId`. */
  isEdge(streamId: StreamId, a: NodeId, b: NodeId): boolean;
  /** Streams in whose tree `nodeId` is a member. */
  streamsOf(nodeId: NodeId): StreamId[];
  /** The node's current assignment in `streamId`, if it is a member. */
  assignment(streamId: StreamId, nodeId: NodeId): ParentAssignment | undefined;
  /** Upload the node's children cost across every stream (kbit/s). */
  loadKbps(nodeId: NodeId): number;
  /** Number of viewers watching `streamId`. */
  viewerCount(streamId: StreamId): number;
  node(nodeId: NodeId): PlannerNode | undefined;
  stream(streamId: StreamId): PlannerStream | undefined;
}

/**
 * Plans and re-plans the trees of every stream. Each mutating call returns what changed; a call
 * that throws a {@link PlannerError} changed nothing.
 */
export interface TreePlanner extends PlanView {
  addStream(stream: PlannerStream): PlanChanges;
  /** Forgets a stream: every member is released. */
  removeStream(streamId: StreamId): PlanChanges;
  /** A node connected; a relay may be activated at once in streams that have viewers. */
  addNode(node: PlannerNode): PlanChanges;
  /** A node is gone (dead or left): its children are re-parented. */
  removeNode(nodeId: NodeId): PlanChanges;
  /** A viewer starts watching a stream (activating relays if it is the first viewer). */
  join(nodeId: NodeId, streamId: StreamId): PlanChanges;
  /** A node stops watching or serving a stream: its children are re-parented. */
  leave(nodeId: NodeId, streamId: StreamId): PlanChanges;
  /**
   * Make-before-break for a graceful leave: moves every child of `nodeId` (in `streamId`, or in
   * every stream) to a new parent and takes no new children there, while the node itself stays
   * in the tree until {@link TreePlanner.leave} or {@link TreePlanner.removeNode}.
   */
  drain(nodeId: NodeId, streamId?: StreamId): PlanChanges;
  /** `nodeId` could not reach its parent `parentId`: pick another, avoiding that one for a while. */
  parentFailed(nodeId: NodeId, streamId: StreamId, parentId: NodeId): PlanChanges;
}

/** A planner operation that changed nothing. */
export function noChanges(): PlanChanges {
  return { assignments: [], activated: [], released: [] };
}
