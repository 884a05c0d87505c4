import type { Coordinator } from './coordinator.ts';
import { streamEdges } from './snapshot.ts';

/**
 * A plain-data summary of every piece of coordinator state a client can change: nodes (with
 * their last-seen time and last heartbeat), streams, planned edges and their state, the table of
 * contents, figures and pending leaves. Two equal digests mean nothing changed; tests compare
 * them around refused messages.
 */
export function stateDigest(c: Coordinator): unknown {
  const streams = c.streams.all();
  return {
    streams: streams.map((s) => s.id),
    nodes: c.nodes
      .all()
      .map((n) => ({
        id: n.id,
        role: n.role,
        lastSeenAt: n.lastSeenAt,
        lastGrowShrinkAt: n.lastGrowShrinkAt ?? null,
        stats: n.traffic.latest ?? null,
      }))
      .sort((a, b) => a.id.localeCompare(b.id)),
    edges: streams.flatMap((s) =>
      streamEdges(c, s.id)
        .map(
          (e) =>
            `${e.streamId}:${e.from}->${e.to}${e.stripe === undefined ? '' : `/s${e.stripe}`}:${e.state}`,
        )
        .sort(),
    ),
    toc: streams.map((s) => ({
      streamId: s.id,
      segments: c.toc.segmentCount(s.id),
      nodes: c.toc.nodesOf(s.id),
    })),
    figures: streams.map((s) => ({ streamId: s.id, ...c.figures.get(s.id) })),
    leaving: [...c.leaving].sort(),
    events: c.events.recent().length,
  };
}
