import {
  AgentError,
  NodeAgent,
  socketSignaling,
  type PeerClientToServerEvents,
  type PeerServerToClientEvents,
  type StreamId,
  type StreamInfo,
} from '@p2pcdn/core';
import createDebug from 'debug';
import Hls, { Events, type ErrorData, type FragChangedData } from 'hls.js';
import { io, type Socket } from 'socket.io-client';
import type { StoreApi } from 'zustand/vanilla';
import type { PageParams } from '../page/page-params.ts';
import { errorInfo, PlayerError } from '../page/player-error.ts';
import { fetchStreams, unknownStreamMessage } from '../page/streams-api.ts';
import { createFragmentLoaderClass } from '../playback/fragment-loader.ts';
import { decideHlsError } from '../playback/hls-errors.ts';
import { PlaybackMonitor } from '../playback/playback-monitor.ts';
import { composeFigures, type PlayerPhase } from '../stats/figures.ts';
import type { PlayerState } from '../stats/player-store.ts';
import { publishFigures } from '../stats/publish.ts';
import { browserClock } from './browser-clock.ts';
import { P2pStack } from './core-stack.ts';
import { createOriginFetch } from './origin-fetch.ts';
import { gateOnParents, type ParentStatus } from './parent-gate.ts';
import { browserPeerFactory, webrtcSupported } from './peer-factory.ts';

const log = createDebug('p2pcdn:player:session');

/** The `/peer` namespace socket, typed by core's event maps. */
type PeerSocket = Socket<PeerServerToClientEvents, PeerClientToServerEvents>;

/** Page parameters once a stream is chosen. */
export interface WatchParams extends PageParams {
  streamId: StreamId;
}

/** What a player session needs: the page's parameters, the `<video>` and the store it reports to. */
export interface SessionOptions {
  params: WatchParams;
  video: HTMLVideoElement;
  store: StoreApi<PlayerState>;
}

/** A running player session; `dispose()` stops everything it started. */
export interface SessionHandle {
  dispose(): void;
}

/** How often figures are refreshed on the page and in `window.__p2pcdn`. */
const REFRESH_MS = 1000;
/** Failed connection attempts to the coordinator before the page says it is unreachable. */
const MAX_CONNECT_FAILURES = 3;

/**
 * Starts watching `params.streamId` in `video`: connects to the coordinator, joins the stream as
 * a viewer (relaying to whatever children the coordinator assigns), and plays it with hls.js
 * whose fragments come through the P2P segment loader. Returns at once; progress and errors go
 * to `store`.
 */
export function startSession(options: SessionOptions): SessionHandle {
  const session = new PlayerSession(options);
  session.run().catch((error: unknown) => session.fail(startupError(error), 'coordinator-unreachable'));
  return { dispose: () => session.dispose() };
}

/** Failures before playback starts are the coordinator's (hello or join unanswered) unless classified. */
function startupError(error: unknown): PlayerError {
  if (error instanceof PlayerError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new PlayerError(
    'coordinator-unreachable',
    `The coordinator at ${window.location.host} does not answer (${reason}).`,
    { cause: error },
  );
}

class PlayerSession {
  private readonly params: WatchParams;
  private readonly video: HTMLVideoElement;
  private readonly store: StoreApi<PlayerState>;
  private readonly monitor: PlaybackMonitor;
  private readonly ticker: number;
  private disposed = false;
  private socket: PeerSocket | null = null;
  private agent: NodeAgent | null = null;
  private stack: P2pStack | null = null;
  private hls: Hls | null = null;
  private joined = false;
  private mediaRecoveries = 0;
  private currentSegment: string | null = null;

  constructor(options: SessionOptions) {
    this.params = options.params;
    this.video = options.video;
    this.store = options.store;
    this.monitor = new PlaybackMonitor(this.video, () => performance.now());
    this.ticker = window.setInterval(() => this.refresh(), REFRESH_MS);
    this.refresh();
  }

  async run(): Promise<void> {
    const { streamId, region, capacity } = this.params;
    if (!Hls.isSupported()) {
      throw new PlayerError(
        'unsupported',
        'This browser lacks Media Source Extensions, which the player needs to play HLS. Try a current Chrome, Edge or Firefox.',
      );
    }
    if (!webrtcSupported) {
      throw new PlayerError(
        'unsupported',
        'This browser has no WebRTC, which the player needs to share the stream.',
      );
    }

    const socket: PeerSocket = io('/peer', {
      // WebSocket first saves the long-polling handshake on every start; polling stays as fallback.
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      reconnectionDelayMax: 5000,
    });
    this.socket = socket;
    this.watchCoordinator(socket);

    const stack = new P2pStack({
      cacheBytes: capacity.cacheBytes,
      uploadKbps: capacity.uploadKbps,
      clock: browserClock,
      originFetch: createOriginFetch(),
    });
    this.stack = stack;
    const agent = new NodeAgent({
      signaling: socketSignaling(socket, {
        clock: browserClock,
        log: createDebug('p2pcdn:player:signaling'),
      }),
      engine: stack.buildEngine,
      store: stack.store,
      peerFactory: browserPeerFactory,
      clock: browserClock,
      hostStats: () => {
        const { startupMs, stalls } = this.monitor.figures();
        const bufferSec = Math.round(this.monitor.bufferAheadSec() * 100) / 100;
        return startupMs === null ? { bufferSec, stalls } : { bufferSec, startupMs, stalls };
      },
      decodeText: (bytes) => new TextDecoder().decode(bytes),
      log: createDebug('p2pcdn:player:agent'),
    });
    this.agent = agent;
    agent.on('signaling', (state) =>
      this.store
        .getState()
        .setNotice(
          state === 'disconnected'
            ? 'Lost the coordinator: playback continues from peers and the origin while it reconnects.'
            : null,
        ),
    );
    agent.on('origin', (id, allowed) => stack.setOriginAllowed(id, allowed));
    agent.on('error', (error) => log('agent error: %O', error));

    const welcome = await agent.start({
      role: 'viewer',
      agent: 'browser',
      region,
      capacity,
      name: 'browser',
    });
    if (this.disposed) return;
    log('node %s', welcome.nodeId);

    const stream = await this.join(agent, streamId);
    if (this.disposed) return;
    this.joined = true;
    this.store.getState().setStream(stream);
    this.play(stream);
    this.refresh();
  }

  /** Joins the stream, turning an unknown stream into a message that lists the known ones. */
  private async join(agent: NodeAgent, streamId: StreamId): Promise<StreamInfo> {
    try {
      return await agent.join(streamId);
    } catch (error) {
      if (error instanceof AgentError && error.kind === 'refused') {
        if (error.body?.code === 'unknown-stream') {
          const known = await fetchStreams().catch(() => []);
          throw new PlayerError('unknown-stream', unknownStreamMessage(streamId, known), { cause: error });
        }
        throw new PlayerError('join-refused', error.body?.message ?? error.message, { cause: error });
      }
      throw error;
    }
  }

  /** Reports the coordinator as unreachable after repeated failed connection attempts. */
  private watchCoordinator(socket: PeerSocket): void {
    let failures = 0;
    let connected = false;
    socket.on('connect', () => {
      connected = true;
      failures = 0;
    });
    socket.on('connect_error', (error) => {
      log('coordinator connect error: %s', error.message);
      if (connected || ++failures < MAX_CONNECT_FAILURES) return;
      this.fail(
        new PlayerError(
          'coordinator-unreachable',
          `The coordinator at ${window.location.host} does not answer (${error.message}).`,
          { cause: error },
        ),
        'coordinator-unreachable',
      );
    });
  }

  /** Plays the stream's playlist with hls.js, fragments through the P2P segment loader. */
  private play(stream: StreamInfo): void {
    const { stack, agent } = this;
    if (!stack || !agent) return;
    const parents: ParentStatus = {
      connecting: (id) =>
        !stack.hasParents(id) && agent.assignments().some((a) => a.streamId === id && a.parents.length > 0),
      onChange: (listener) => {
        const offLink = agent.on('link', listener);
        const offAssignment = agent.on('assignment', listener);
        return () => {
          offLink();
          offAssignment();
        };
      },
    };
    const origin = new URL(stream.url).host;
    const hls = new Hls({
      fLoader: createFragmentLoaderClass({
        streamId: stream.id,
        segments: gateOnParents(stack.loader, parents, browserClock),
        bufferAheadSec: () => this.monitor.bufferAheadSec(),
        now: () => performance.now(),
        clock: browserClock,
        log: createDebug('p2pcdn:player:fragments'),
      }),
      // Fragments arrive whole from peers; hls.js reads them from onProgress + onSuccess.
      progressive: false,
      backBufferLength: 30,
    });
    this.hls = hls;
    hls.on(Events.ERROR, (_event, data) => this.onHlsError(hls, data, origin));
    hls.on(Events.FRAG_CHANGED, (_event, data: FragChangedData) => {
      const name = data.frag.url.split('/').pop()?.split('?')[0] ?? data.frag.url;
      this.currentSegment = `${name} (#${data.frag.sn})`;
    });
    hls.loadSource(stream.url);
    hls.attachMedia(this.video);
  }

  private onHlsError(hls: Hls, data: ErrorData, origin: string): void {
    const decision = decideHlsError(data, { mediaRecoveries: this.mediaRecoveries, origin });
    switch (decision.action) {
      case 'ignore':
        log('hls.js %s (non-fatal): %s', data.type, data.details);
        return;
      case 'recover-media':
        log('recovering from media error %s', data.details);
        this.mediaRecoveries++;
        hls.recoverMediaError();
        return;
      case 'fail':
        log('hls.js fatal %s: %s', data.type, data.details);
        this.fail(decision.error, 'media');
        return;
    }
  }

  /** Stops playback and shows `error` on the page (the first error wins). */
  fail(error: unknown, fallback: PlayerError['kind']): void {
    if (this.disposed) return;
    const info = errorInfo(error, fallback);
    log('stopped: %s: %s', info.kind, info.message);
    this.store.getState().fail(info);
    this.hls?.destroy();
    this.hls = null;
    if (
      info.kind === 'coordinator-unreachable' ||
      info.kind === 'unknown-stream' ||
      info.kind === 'join-refused'
    ) {
      // Nothing to relay without a stream or a coordinator; stop retrying in the background.
      this.socket?.close();
    }
    this.refresh();
  }

  private phase(): PlayerPhase {
    if (this.store.getState().error) return 'error';
    if (this.monitor.figures().startupMs !== null) return 'playing';
    return this.joined ? 'loading' : 'connecting';
  }

  /** Recomputes the figures, updates the store and `window.__p2pcdn`. */
  private refresh(): void {
    const { streamId } = this.params;
    const agent = this.agent;
    const engine = this.stack?.stats() ?? { p2pBytes: 0, httpBytes: 0, uploadBytes: 0, links: [] };
    const assignment = agent?.assignments().find((a) => a.streamId === streamId);
    const error = this.store.getState().error;
    const figures = composeFigures({
      nodeId: agent?.nodeId ?? null,
      streamId,
      phase: this.phase(),
      transfer: engine,
      links: (agent?.links(streamId) ?? []).map((l) => ({ peerId: l.peerId, role: l.role, state: l.state })),
      parents: assignment?.parents ?? [],
      originAllowed: assignment?.origin ?? false,
      playback: this.monitor.figures(),
      currentSegment: this.currentSegment,
      now: Date.now(),
      error: error ?? undefined,
    });
    this.store.getState().setFigures(figures);
    publishFigures(figures);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    window.clearInterval(this.ticker);
    this.monitor.dispose();
    this.hls?.destroy();
    this.hls = null;
    const agent = this.agent;
    const socket = this.socket;
    const stack = this.stack;
    void (
      agent ? agent.stop().catch((error: unknown) => log('agent stop failed: %O', error)) : Promise.resolve()
    ).finally(() => {
      stack?.dispose();
      socket?.close();
    });
  }
}
