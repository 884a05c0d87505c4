import type { TopologyNode } from '@p2pcdn/core';
import type { ReactNode } from 'react';
import {
  ellipsize,
  formatAgo,
  formatBufferSec,
  formatBytes,
  formatCapacityMbps,
  formatKbps,
  formatMs,
} from '../format/format.ts';
import { LOW_BUFFER_SEC } from '../graph/graph-style.ts';
import type { FleetSortKey } from './fleet-rows.ts';

/** One column of the fleet table. */
export interface FleetColumn {
  key: FleetSortKey | 'role';
  label: string;
  title?: string;
  numeric?: boolean;
  /** Renders the cell; `now` is the snapshot time, for "last seen". */
  cell(node: TopologyNode, now: number): ReactNode;
}

const cacheMb = (bytes: number | undefined): string =>
  bytes === undefined ? '–' : `${Math.round(bytes / 1_000_000).toLocaleString('en-US')} MB`;

/** The fleet table's columns, in order. */
export const FLEET_COLUMNS: readonly FleetColumn[] = [
  {
    key: 'name',
    label: 'Name',
    cell: (n) => <span title={n.name}>{ellipsize(n.name || n.id, 28)}</span>,
  },
  { key: 'id', label: 'Id', cell: (n) => <code title={n.id}>{ellipsize(n.id, 18)}</code> },
  { key: 'role', label: 'Role', cell: (n) => <span className={`role role-${n.role}`}>{n.role}</span> },
  { key: 'agent', label: 'Agent', cell: (n) => n.agent },
  { key: 'region', label: 'Region', cell: (n) => n.region ?? '–' },
  {
    key: 'uploadKbps',
    label: 'Upload cap',
    title: 'Upload the node offers for relaying',
    numeric: true,
    cell: (n) => formatCapacityMbps(n.capacity?.uploadKbps),
  },
  {
    key: 'cacheBytes',
    label: 'Cache',
    title: 'Segment cache the node offers',
    numeric: true,
    cell: (n) => cacheMb(n.capacity?.cacheBytes),
  },
  {
    key: 'streams',
    label: 'Streams',
    cell: (n) => (n.streams.length > 0 ? n.streams.join(', ') : <span className="muted">idle</span>),
  },
  {
    key: 'upKbps',
    label: 'Up',
    title: 'Upload over the last heartbeat',
    numeric: true,
    cell: (n) => formatKbps(n.upKbps),
  },
  {
    key: 'downKbps',
    label: 'Down',
    title: 'Download over the last heartbeat',
    numeric: true,
    cell: (n) => formatKbps(n.downKbps),
  },
  {
    key: 'storeBytes',
    label: 'Store',
    title: 'Bytes held in the segment store',
    numeric: true,
    cell: (n) => formatBytes(n.storeBytes),
  },
  {
    key: 'bufferSec',
    label: 'Buffer',
    title: 'Media buffered ahead of the playhead',
    numeric: true,
    cell: (n) => (
      <span className={n.bufferSec !== undefined && n.bufferSec < LOW_BUFFER_SEC ? 'bad' : undefined}>
        {formatBufferSec(n.bufferSec)}
      </span>
    ),
  },
  {
    key: 'startupMs',
    label: 'Startup',
    title: 'Page start to first frame',
    numeric: true,
    cell: (n) => formatMs(n.startupMs),
  },
  {
    key: 'stalls',
    label: 'Stalls',
    numeric: true,
    cell: (n) =>
      n.stalls === undefined ? '–' : <span className={n.stalls > 0 ? 'bad' : undefined}>{n.stalls}</span>,
  },
  {
    key: 'lastSeenAt',
    label: 'Seen',
    title: 'Last heartbeat, relative to the snapshot',
    numeric: true,
    cell: (n, now) => (
      <span className={now - n.lastSeenAt > 10_000 ? 'bad' : undefined}>{formatAgo(n.lastSeenAt, now)}</span>
    ),
  },
];
