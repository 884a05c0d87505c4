import type { AdminSnapshot } from '@p2pcdn/core';

/** The header's figures over every stream. */
export interface Totals {
  streams: number;
  relays: number;
  viewers: number;
  /** P2P share of the bytes viewers received (relays' origin pulls excluded); null before any byte. */
  p2pShare: number | null;
  /** Sum of every stream's origin egress, kbit/s. */
  originKbps: number;
}

/** Totals of a snapshot; nodes are counted once even when they serve several streams. */
export function computeTotals(snapshot: AdminSnapshot | null): Totals {
  if (!snapshot) return { streams: 0, relays: 0, viewers: 0, p2pShare: null, originKbps: 0 };
  let p2p = 0;
  let http = 0;
  for (const node of snapshot.nodes) {
    if (node.role !== 'viewer') continue;
    p2p += node.p2pBytes;
    http += node.httpBytes;
  }
  const originKbps = snapshot.figures.reduce((sum, f) => sum + f.originKbps, 0);
  return {
    streams: snapshot.streams.length,
    relays: snapshot.nodes.filter((n) => n.role === 'relay').length,
    viewers: snapshot.nodes.filter((n) => n.role === 'viewer').length,
    p2pShare: p2p + http > 0 ? p2p / (p2p + http) : null,
    originKbps,
  };
}
