import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { Clock, StreamInfo, Welcome } from '@p2pcdn/core';
import { systemClock } from './system-clock.ts';

/** The repository root (this file lives in `apps/signaling/src/`). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** An ICE server handed to every node in its welcome. */
export type IceServer = Welcome['iceServers'][number];

/** Token bucket per socket: `burst` messages at once, refilled at `perSecond`. */
export interface RateLimit {
  burst: number;
  perSecond: number;
}

/** Everything {@link startCoordinator} can be told; every field has a default. */
export interface CoordinatorOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Port to listen on; 0 picks a free one. Default `P2PCDN_PORT` or 8080. */
  port?: number;
  /** Where the database lives. Default `P2PCDN_DATA_DIR` or `.data/` at the repo root. */
  dataDir?: string;
  /** Operator token. Default `P2PCDN_TOKEN`, else generated once and kept in the database. */
  token?: string;
  /** ICE servers for nodes. Default none (loopback and LAN). */
  iceServers?: IceServer[];
  /** How often nodes send `stats`; three missed in a row and a node is dead. Default 2000 ms. */
  heartbeatMs?: number;
  /** How long a graceful leave waits for children to confirm their new parent. Default 4000 ms. */
  leaveTimeoutMs?: number;
  /** How long a child avoids a parent it reported as failed. Default 30 s. */
  failedParentExclusionMs?: number;
  /** Admin snapshot period. Default 1000 ms. */
  snapshotIntervalMs?: number;
  /** Largest socket.io packet accepted, bytes (larger ones close the connection). Default 100 kB. */
  maxHttpBufferSize?: number;
  /** Per-socket message rate limit. Default 200 at once, 100 per second. */
  rateLimit?: RateLimit;
  /** Table-of-contents keys kept per node and stream (oldest dropped first). Default 4096. */
  tocKeysPerNode?: number;
  /** Admin event ring buffer size. Default 500. */
  eventLogSize?: number;
  /** Built player and admin SPAs. Default `apps/player/dist` and `apps/admin/dist`. */
  playerDist?: string;
  adminDist?: string;
  /** Timeout for fetching a publisher's playlist and segments when registering. Default 5000 ms. */
  probeTimeoutMs?: number;
  /** `fetch` used to probe playlists (tests inject one). Default the global fetch. */
  fetch?: typeof fetch;
  /** Time source. Default the system clock. */
  clock?: Clock;
  /** Bytes the origin itself counted for `stream`, when it can tell (the demo origin can). */
  originBytes?: (stream: StreamInfo) => number | undefined;
}

/** {@link CoordinatorOptions} with every default filled in. */
export interface CoordinatorConfig {
  host: string;
  port: number;
  dataDir: string;
  token: string | undefined;
  iceServers: IceServer[];
  heartbeatMs: number;
  leaveTimeoutMs: number;
  failedParentExclusionMs: number;
  snapshotIntervalMs: number;
  maxHttpBufferSize: number;
  rateLimit: RateLimit;
  tocKeysPerNode: number;
  eventLogSize: number;
  playerDist: string;
  adminDist: string;
  probeTimeoutMs: number;
  fetch: typeof fetch;
  clock: Clock;
  originBytes: (stream: StreamInfo) => number | undefined;
}

/** A configuration value that cannot be used; the message names it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly kind = 'invalid-config';
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(`${name} must be a positive integer`);
  return value;
}

/** Parses a TCP port (0 allowed: pick a free one). */
export function parsePort(name: string, raw: string | number): number {
  const value = typeof raw === 'number' ? raw : /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    throw new ConfigError(`${name} must be a port number between 0 and 65535, not "${raw}"`);
  }
  return value;
}

/** Checks an operator token from the environment or the command line. */
export function checkToken(token: string): string {
  if (!/^[\x21-\x7e]{8,256}$/.test(token)) {
    throw new ConfigError('the operator token must be 8-256 printable characters without spaces');
  }
  return token;
}

/** Fills in defaults from `env` and validates; throws {@link ConfigError}. */
export function resolveConfig(
  options: CoordinatorOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): CoordinatorConfig {
  const port = options.port ?? (env.P2PCDN_PORT ? parsePort('P2PCDN_PORT', env.P2PCDN_PORT) : 8080);
  const token = options.token ?? (env.P2PCDN_TOKEN ? env.P2PCDN_TOKEN : undefined);
  const dataDir = options.dataDir ?? env.P2PCDN_DATA_DIR ?? path.join(REPO_ROOT, '.data');
  const rateLimit = options.rateLimit ?? { burst: 200, perSecond: 100 };
  return {
    host: options.host ?? '127.0.0.1',
    port: parsePort('port', port),
    dataDir: path.resolve(dataDir),
    token: token === undefined ? undefined : checkToken(token),
    iceServers: options.iceServers ?? [],
    heartbeatMs: positiveInt('heartbeatMs', options.heartbeatMs ?? 2000),
    leaveTimeoutMs: positiveInt('leaveTimeoutMs', options.leaveTimeoutMs ?? 4000),
    failedParentExclusionMs: positiveInt(
      'failedParentExclusionMs',
      options.failedParentExclusionMs ?? 30_000,
    ),
    snapshotIntervalMs: positiveInt('snapshotIntervalMs', options.snapshotIntervalMs ?? 1000),
    maxHttpBufferSize: positiveInt('maxHttpBufferSize', options.maxHttpBufferSize ?? 100_000),
    rateLimit: {
      burst: positiveInt('rateLimit.burst', rateLimit.burst),
      perSecond: positiveInt('rateLimit.perSecond', rateLimit.perSecond),
    },
    tocKeysPerNode: positiveInt('tocKeysPerNode', options.tocKeysPerNode ?? 4096),
    eventLogSize: positiveInt('eventLogSize', options.eventLogSize ?? 500),
    playerDist: path.resolve(options.playerDist ?? path.join(REPO_ROOT, 'apps/player/dist')),
    adminDist: path.resolve(options.adminDist ?? path.join(REPO_ROOT, 'apps/admin/dist')),
    probeTimeoutMs: positiveInt('probeTimeoutMs', options.probeTimeoutMs ?? 5000),
    fetch: options.fetch ?? globalThis.fetch,
    clock: options.clock ?? systemClock,
    originBytes: options.originBytes ?? (() => undefined),
  };
}
