import type { Capacity, NodeId, NodeRole, Region, ServerMessage } from '@p2pcdn/core';
import { DEFAULT_THROUGHPUT_WINDOW_MS, emptyTraffic, type NodeTraffic } from './traffic.ts';

/** The coordinator's handle on a node's connection, whatever carries it (socket.io, a test fake). */
export interface NodeLink {
  /** Sends one message to the node. */
  send(msg: ServerMessage): void;
  /** Drops the node's connection (dead, or misbehaving). */
  close(reason: string): void;
}

/** Everything the coordinator knows about one connected node. */
export interface NodeRecord {
  readonly id: NodeId;
  readonly role: NodeRole;
  readonly agent: 'browser' | 'node';
  readonly name: string;
  readonly region: Region;
  readonly capacity: Capacity;
  readonly link: NodeLink;
  readonly connectedAt: number;
  /** Last time a message from the node was accepted. */
  lastSeenAt: number;
  traffic: NodeTraffic;
  /** Last accepted `distribute` or `consolidate` (they are throttled per node). */
  lastGrowShrinkAt?: number;
}

/** New node fields; traffic starts empty. */
export type NewNode = Omit<NodeRecord, 'traffic' | 'lastSeenAt' | 'lastGrowShrinkAt'>;

/** Connected nodes by id. */
export class NodeRegistry {
  private readonly nodes = new Map<NodeId, NodeRecord>();

  /** `throughputWindowMs`: the window over which each node's upload is measured. */
  constructor(private readonly throughputWindowMs = DEFAULT_THROUGHPUT_WINDOW_MS) {}

  add(node: NewNode): NodeRecord {
    if (this.nodes.has(node.id)) throw new Error(`node ${node.id} already registered`);
    const record: NodeRecord = {
      ...node,
      lastSeenAt: node.connectedAt,
      traffic: emptyTraffic(this.throughputWindowMs),
    };
    this.nodes.set(node.id, record);
    return record;
  }

  get(id: NodeId): NodeRecord | undefined {
    return this.nodes.get(id);
  }

  has(id: NodeId): boolean {
    return this.nodes.has(id);
  }

  remove(id: NodeId): NodeRecord | undefined {
    const record = this.nodes.get(id);
    this.nodes.delete(id);
    return record;
  }

  all(): NodeRecord[] {
    return [...this.nodes.values()];
  }

  get size(): number {
    return this.nodes.size;
  }
}
