import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock, type ErrorBody, type ServerMessage, type StreamInfo } from '@p2pcdn/core';
import { io as connectClient, type Socket } from 'socket.io-client';
import { startCoordinator, type CoordinatorOptions, type RunningCoordinator } from '../src/index.ts';

export const TEST_TOKEN = 'test-operator-token';

export const LIVE: StreamInfo = {
  id: 'live',
  title: 'Live',
  url: 'http://127.0.0.1:9/live.m3u8',
  bitrateKbps: 1000,
  createdAt: 0,
};

/** A coordinator on an ephemeral port with a fresh data dir and a hand-driven clock. */
export interface TestStack {
  running: RunningCoordinator;
  clock: ManualClock;
  dataDir: string;
  /** Stops the server (the data dir survives until `dispose`). */
  stop(): Promise<void>;
  dispose(): Promise<void>;
}

export async function tempDir(prefix = 'p2pcdn-signaling-'): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

/** Starts a test coordinator; `generatedToken` leaves the token to the database. */
export async function startTestStack(
  options: CoordinatorOptions & { generatedToken?: boolean } = {},
): Promise<TestStack> {
  const { generatedToken, ...rest } = options;
  const dataDir = options.dataDir ?? (await tempDir());
  const clock = options.clock instanceof ManualClock ? options.clock : new ManualClock(1_000);
  const running = await startCoordinator({
    host: '127.0.0.1',
    port: 0,
    ...(generatedToken ? {} : { token: TEST_TOKEN }),
    heartbeatMs: 1000,
    playerDist: path.join(dataDir, 'no-player'),
    adminDist: path.join(dataDir, 'no-admin'),
    ...rest,
    dataDir,
    clock,
  });
  return {
    running,
    clock,
    dataDir,
    stop: () => running.close(),
    async dispose() {
      await running.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Any ack the server can send. */
export type AnyAck = { ok: true; [key: string]: unknown } | { ok: false; error: ErrorBody };

/**
 * A raw socket.io client on `/peer` for tests: it can send anything (including garbage) and
 * collects what the server sends.
 */
export class TestPeer {
  readonly inbox: ServerMessage[] = [];
  /** Order in which acks and messages arrived (`ack:<type>` or the message type). */
  readonly arrivals: string[] = [];
  nodeId = '';
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: Socket) {
    socket.on('msg', (msg: ServerMessage) => {
      this.inbox.push(msg);
      this.arrivals.push(msg.type);
      for (const wake of [...this.waiters]) wake();
    });
  }

  static async connect(url: string): Promise<TestPeer> {
    const socket = connectClient(`${url}/peer`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    return new TestPeer(socket);
  }

  /** Sends `msg` as the `msg` event and resolves with the ack. */
  request(msg: unknown, event = 'msg'): Promise<AnyAck> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ack for ${JSON.stringify(msg).slice(0, 80)}`)),
        5000,
      );
      this.socket.emit(event, msg, (res: AnyAck) => {
        clearTimeout(timer);
        this.arrivals.push(`ack:${(msg as { type?: string } | null)?.type ?? '?'}`);
        resolve(res);
      });
    });
  }

  async hello(role: 'relay' | 'viewer', uploadKbps = 0, name?: string): Promise<string> {
    const ack = await this.request({
      type: 'hello',
      role,
      region: 'local',
      capacity: { uploadKbps, cacheBytes: 0 },
      agent: 'node',
      protocol: 1,
      ...(name ? { name } : {}),
    });
    if (!ack.ok) throw new Error(`hello refused: ${ack.error.message}`);
    this.nodeId = String(ack.nodeId);
    return this.nodeId;
  }

  /** Resolves with (and removes from the inbox) the first message of `type` matching `pred`. */
  next<T extends ServerMessage['type']>(
    type: T,
    pred: (msg: Extract<ServerMessage, { type: T }>) => boolean = () => true,
  ): Promise<Extract<ServerMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const index = this.inbox.findIndex(
          (m) => m.type === type && pred(m as Extract<ServerMessage, { type: T }>),
        );
        if (index < 0) return false;
        const [msg] = this.inbox.splice(index, 1);
        this.waiters.delete(wake);
        clearTimeout(timer);
        resolve(msg as Extract<ServerMessage, { type: T }>);
        return true;
      };
      const wake = (): void => void check();
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`no "${type}" message arrived; inbox: ${JSON.stringify(this.inbox).slice(0, 300)}`));
      }, 5000);
      if (!check()) this.waiters.add(wake);
    });
  }

  /** A round trip (a heartbeat with an ack): everything the server sent before has arrived. */
  async sync(): Promise<void> {
    await this.request({ type: 'stats', stats: { httpBytes: 0, p2pBytes: 0, uploadBytes: 0, links: [] } });
  }

  disconnected(): Promise<string> {
    if (!this.socket.connected) return Promise.resolve('already');
    return new Promise((resolve) => this.socket.once('disconnect', resolve));
  }

  close(): void {
    this.socket.close();
  }
}
