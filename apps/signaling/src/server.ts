import type { AddressInfo } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import type { AdminSnapshot, PeerClientToServerEvents, PeerServerToClientEvents } from '@p2pcdn/core';
import createDebug from 'debug';
import { Server } from 'socket.io';
import { attachAdminNamespace } from './admin-namespace/admin-namespace.ts';
import { createApp } from './api/app.ts';
import { resolveConfig, type CoordinatorConfig, type CoordinatorOptions } from './config.ts';
import { Coordinator } from './coordinator/coordinator.ts';
import { adminSnapshot } from './coordinator/snapshot.ts';
import { CoordinatorDb } from './db/database.ts';
import { attachPeerNamespace } from './peer-namespace/peer-namespace.ts';
import { nodeCrypto } from './integrity/publisher-key.ts';
import { probeManifest } from './streams/manifest-probe.ts';
import { readPlaylistSegments } from './streams/playlist-segments.ts';
import { probeStream } from './streams/probe.ts';
import { StreamRegistrar } from './streams/registrar.ts';

const debug = createDebug('p2pcdn:signaling:server');

/** A coordinator listening for HTTP and socket.io. */
export interface RunningCoordinator {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  host: string;
  port: number;
  /** The operator token (from the options, `P2PCDN_TOKEN`, or the database). */
  token: string;
  config: CoordinatorConfig;
  /** The domain layer (nodes, streams, plan, table of contents, figures). */
  coordinator: Coordinator;
  /** Registers and removes streams (probe, store, plan). */
  registrar: StreamRegistrar;
  io: Server<PeerClientToServerEvents, PeerServerToClientEvents>;
  /** What the admin dashboard receives right now. */
  snapshot(): AdminSnapshot;
  /** Disconnects every client, stops listening and closes the database. */
  close(): Promise<void>;
}

function listen(server: HttpServer, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * Starts the coordinator: opens the database (streams survive restarts; the operator token is
 * generated there on first start unless given), then serves the HTTP API, the SPAs and the
 * socket.io namespaces `/peer` and `/admin` on one HTTP server.
 */
export async function startCoordinator(options: CoordinatorOptions = {}): Promise<RunningCoordinator> {
  const config = resolveConfig(options);
  const { clock } = config;
  const db = await CoordinatorDb.open(config.dataDir);
  try {
    const token = config.token ?? (await db.meta.operatorToken());
    const coordinator = new Coordinator({
      clock,
      settings: {
        heartbeatMs: config.heartbeatMs,
        leaveTimeoutMs: config.leaveTimeoutMs,
        failedParentExclusionMs: config.failedParentExclusionMs,
        iceServers: config.iceServers,
        tocKeysPerNode: config.tocKeysPerNode,
        throughputWindowMs: config.throughputWindowMs,
        eventLogSize: config.eventLogSize,
        planner: config.planner,
      },
      readPlaylist: (stream) =>
        readPlaylistSegments(stream.url, stream.id, {
          fetch: config.fetch,
          timeoutMs: config.probeTimeoutMs,
        }),
    });
    for (const stream of await db.streams.list()) coordinator.addStream(stream);
    const registrar = new StreamRegistrar(
      coordinator,
      db.streams,
      (url, estimate) =>
        probeStream(url, estimate, { fetch: config.fetch, timeoutMs: config.probeTimeoutMs }),
      clock,
      (url, streamId, publicKey) =>
        probeManifest(url, streamId, publicKey, nodeCrypto, {
          fetch: config.fetch,
          timeoutMs: config.probeTimeoutMs,
        }),
    );
    const snapshot = (): AdminSnapshot => adminSnapshot(coordinator, config.originBytes);

    const app = createApp({
      coordinator,
      registrar,
      token,
      originBytes: config.originBytes,
      playerDist: config.playerDist,
      adminDist: config.adminDist,
    });
    const httpServer = createAdaptorServer({ fetch: app.fetch }) as HttpServer;
    const io = new Server<PeerClientToServerEvents, PeerServerToClientEvents>(httpServer, {
      maxHttpBufferSize: config.maxHttpBufferSize,
      serveClient: false,
      // Nodes and the dashboard may be served from elsewhere (vite dev servers, other hosts);
      // nothing here relies on cookies, and the admin namespace checks its token itself.
      cors: { origin: true },
    });
    attachPeerNamespace(io, coordinator, {
      clock,
      rateLimit: config.rateLimit,
      queryRateLimit: config.queryRateLimit,
    });
    const admin = attachAdminNamespace(io, {
      token,
      clock,
      intervalMs: config.snapshotIntervalMs,
      snapshot,
      events: coordinator.events,
    });

    const address = await listen(httpServer, config.port, config.host);
    coordinator.start();
    const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${hostForUrl}:${address.port}`;
    debug('listening on %s (data in %s)', url, config.dataDir);

    let closing: Promise<void> | undefined;
    return {
      url,
      host: address.address,
      port: address.port,
      token,
      config,
      coordinator,
      registrar,
      io,
      snapshot,
      close() {
        closing ??= (async () => {
          coordinator.stop();
          admin.stop();
          const closed = new Promise<void>((resolve) => {
            void io.close(() => resolve());
          });
          // Idle keep-alive connections would hold the HTTP server open.
          httpServer.closeAllConnections();
          await closed;
          await db.close();
          debug('closed');
        })();
        return closing;
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
