import type { StreamId } from '@p2pcdn/core';
import type { GraphNodeAgent } from './graph-model.ts';

/** Edge colours, one per stream in snapshot order (the same stream keeps its colour everywhere). */
export const STREAM_COLORS = ['#2563eb', '#d97706', '#7c3aed', '#059669', '#db2777', '#0891b2'] as const;

/** The colour of `streamId`, by its position among the snapshot's streams. */
export function streamColor(streamId: StreamId, streamIds: readonly StreamId[]): string {
  const index = Math.max(0, streamIds.indexOf(streamId));
  return STREAM_COLORS[index % STREAM_COLORS.length] ?? STREAM_COLORS[0];
}

/** Stroke and fill of a node by the software it runs. */
export const AGENT_COLORS: Readonly<Record<GraphNodeAgent, { stroke: string; fill: string; tint: string }>> =
  {
    node: { stroke: '#4f46e5', fill: '#e0e7ff', tint: '#f5f7ff' },
    browser: { stroke: '#0d9488', fill: '#ccfbf1', tint: '#f2fdfb' },
    http: { stroke: '#1e293b', fill: '#334155', tint: '#334155' },
    unknown: { stroke: '#94a3b8', fill: '#f1f5f9', tint: '#f8fafc' },
  };

/**
 * Stroke width of an edge carrying `kbps`: 1 px when idle, growing with the logarithm of the rate
 * (a 2.5 Mbit/s stream is about 3 px), capped at 7 px so fat trunks do not hide their neighbours.
 */
export function edgeWidth(kbps: number): number {
  if (!(kbps > 0)) return 1;
  return Math.min(7, 1 + Math.log2(1 + kbps / 500) * 0.85);
}

/** Below this many seconds of buffer a viewer is about to stall: shown in red. */
export const LOW_BUFFER_SEC = 2;
