import { ManualClock, type ClientMessage, type ServerMessage, type StreamInfo } from '@p2pcdn/core';
import type { NodeLink } from '../registry/node-registry.ts';
import { Coordinator } from './coordinator.ts';
import type { PeerSession } from './peer-session.ts';
import { DEFAULT_PLANNER_CONFIG, type PlannerConfig } from './planner-config.ts';
import type { PlaylistReader } from './sequence-feed.ts';

/** Test helpers: a coordinator on a manual clock with fake links (for the unit tests beside). */

export const LIVE: StreamInfo = {
  id: 'live',
  title: 'Live',
  url: 'http://o/live.m3u8',
  bitrateKbps: 1000,
  createdAt: 0,
};

export class FakeLink implements NodeLink {
  readonly inbox: ServerMessage[] = [];
  closed: string | undefined;
  send(msg: ServerMessage): void {
    this.inbox.push(msg);
  }
  close(reason: string): void {
    this.closed = reason;
  }
  /** Messages of one type received so far, and forgets them. */
  take<T extends ServerMessage['type']>(type: T): Array<Extract<ServerMessage, { type: T }>> {
    const out = this.inbox.filter((m): m is Extract<ServerMessage, { type: T }> => m.type === type);
    this.inbox.splice(0, this.inbox.length, ...this.inbox.filter((m) => m.type !== type));
    return out;
  }
}

export interface Peer {
  id: string;
  link: FakeLink;
  session: PeerSession;
  send(msg: ClientMessage): unknown;
}

export function world(
  settings: { leaveTimeoutMs?: number; planner?: Partial<PlannerConfig>; readPlaylist?: PlaylistReader } = {},
) {
  const clock = new ManualClock(1000);
  let n = 0;
  const { readPlaylist, ...rest } = settings;
  const c = new Coordinator({
    clock,
    settings: {
      heartbeatMs: 1000,
      ...rest,
      planner: { ...DEFAULT_PLANNER_CONFIG, ...settings.planner },
    },
    newNodeId: () => `n${++n}`,
    ...(readPlaylist ? { readPlaylist } : {}),
  });
  c.addStream(LIVE);
  const connect = (role: 'relay' | 'viewer', uploadKbps: number, name?: string): Peer => {
    const link = new FakeLink();
    const session = c.openSession(link);
    const welcome = session.receive({
      type: 'hello',
      role,
      region: 'local',
      capacity: { uploadKbps, cacheBytes: 0 },
      agent: 'node',
      protocol: 1,
      ...(name ? { name } : {}),
    });
    const id = (welcome as { nodeId: string }).nodeId;
    return { id, link, session, send: (msg) => session.receive(msg) };
  };
  return { c, clock, connect };
}
