import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { Clock, StreamInfo, Welcome } from '@p2pcdn/core';
import { DEFAULT_PLANNER_CONFIG, type PlannerConfig } from './coordinator/planner-config.ts';
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

/** Table-of-contents questions a socket may ask by default (see `queryRateLimit`). */
export const DEFAULT_QUERY_RATE_LIMIT: RateLimit = { burst: 10, perSecond: 2 };

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
  /** Per-socket limit of table-of-contents questions, on top of `rateLimit`. Default 10 at once, 2 per second. */
  queryRateLimit?: RateLimit;
  /** Table-of-contents keys kept per node and stream (oldest dropped first). Default 4096. */
  tocKeysPerNode?: number;
  /** Window over which each node's upload is measured for the table of contents (ms). Default 10 000. */
  throughputWindowMs?: number;
  /** Admin event ring buffer size. Default 500. */
  eventLogSize?: number;
  /**
   * Built player and admin SPAs. Default `apps/player/dist` (or `P2PCDN_PLAYER_DIST`, which the
   * startup A/B benchmark uses to serve two builds side by side) and `apps/admin/dist`.
   */
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
  /**
   * The tree planner and its settings. Default: `P2PCDN_PLANNER`, `P2PCDN_HIGH_WATER`,
   * `P2PCDN_LOW_WATER`, `P2PCDN_FARM_POLICY`, `P2PCDN_WARMUP_MS`, `P2PCDN_FORECAST` (on|off),
   * `P2PCDN_FORECAST_PERIOD_MS`, `P2PCDN_FORECAST_HORIZON`, `P2PCDN_STRIPES`, else
   * {@link DEFAULT_PLANNER_CONFIG}.
   */
  planner?: Partial<PlannerConfig>;
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
  queryRateLimit: RateLimit;
  tocKeysPerNode: number;
  throughputWindowMs: number;
  eventLogSize: number;
  playerDist: string;
  adminDist: string;
  probeTimeoutMs: number;
  fetch: typeof fetch;
  clock: Clock;
  originBytes: (stream: StreamInfo) => number | undefined;
  planner: PlannerConfig;
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
  const queryRateLimit = options.queryRateLimit ?? DEFAULT_QUERY_RATE_LIMIT;
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
    queryRateLimit: {
      burst: positiveInt('queryRateLimit.burst', queryRateLimit.burst),
      perSecond: positiveInt('queryRateLimit.perSecond', queryRateLimit.perSecond),
    },
    tocKeysPerNode: positiveInt('tocKeysPerNode', options.tocKeysPerNode ?? 4096),
    throughputWindowMs: positiveInt('throughputWindowMs', options.throughputWindowMs ?? 10_000),
    eventLogSize: positiveInt('eventLogSize', options.eventLogSize ?? 500),
    playerDist: path.resolve(
      options.playerDist ?? env.P2PCDN_PLAYER_DIST ?? path.join(REPO_ROOT, 'apps/player/dist'),
    ),
    adminDist: path.resolve(options.adminDist ?? path.join(REPO_ROOT, 'apps/admin/dist')),
    probeTimeoutMs: positiveInt('probeTimeoutMs', options.probeTimeoutMs ?? 5000),
    fetch: options.fetch ?? globalThis.fetch,
    clock: options.clock ?? systemClock,
    originBytes: options.originBytes ?? (() => undefined),
    planner: resolvePlannerConfig({ ...plannerFromEnv(env), ...options.planner }),
  };
}

/** Parses a decimal number for `name`, or throws {@link ConfigError}. */
export function parseNumber(name: string, raw: string): number {
  const value = /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isFinite(value)) throw new ConfigError(`${name} must be a number, not "${raw}"`);
  return value;
}

/** Parses `on`/`off` (also `true`/`false`, `1`/`0`). */
export function parseSwitch(name: string, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['on', 'true', '1', 'yes'].includes(v)) return true;
  if (['off', 'false', '0', 'no'].includes(v)) return false;
  throw new ConfigError(`${name} must be on or off, not "${raw}"`);
}

/** Parses a planner name. */
export function parsePlannerKind(name: string, raw: string): PlannerConfig['kind'] {
  if (raw === 'tiered' || raw === 'skeleton') return raw;
  throw new ConfigError(`${name} must be tiered or skeleton, not "${raw}"`);
}

/** Parses a farm policy. */
export function parseFarmPolicy(name: string, raw: string): PlannerConfig['farmPolicy'] {
  if (raw === 'least-load' || raw === 'round-robin') return raw;
  throw new ConfigError(`${name} must be least-load or round-robin, not "${raw}"`);
}

/** The planner settings given in the environment (unset variables are left out). */
export function plannerFromEnv(env: NodeJS.ProcessEnv): Partial<PlannerConfig> {
  const out: Partial<PlannerConfig> = {};
  const get = (key: string): string | undefined => {
    const v = env[key];
    return v === undefined || v === '' ? undefined : v;
  };
  let v: string | undefined;
  if ((v = get('P2PCDN_PLANNER')) !== undefined) out.kind = parsePlannerKind('P2PCDN_PLANNER', v);
  if ((v = get('P2PCDN_HIGH_WATER')) !== undefined) out.highWater = parseNumber('P2PCDN_HIGH_WATER', v);
  if ((v = get('P2PCDN_LOW_WATER')) !== undefined) out.lowWater = parseNumber('P2PCDN_LOW_WATER', v);
  if ((v = get('P2PCDN_FARM_POLICY')) !== undefined)
    out.farmPolicy = parseFarmPolicy('P2PCDN_FARM_POLICY', v);
  if ((v = get('P2PCDN_WARMUP_MS')) !== undefined) out.warmupMs = parseNumber('P2PCDN_WARMUP_MS', v);
  if ((v = get('P2PCDN_MIN_ACTIVE_MS')) !== undefined)
    out.minActiveMs = parseNumber('P2PCDN_MIN_ACTIVE_MS', v);
  if ((v = get('P2PCDN_FORECAST')) !== undefined) out.forecast = parseSwitch('P2PCDN_FORECAST', v);
  if ((v = get('P2PCDN_FORECAST_PERIOD_MS')) !== undefined)
    out.forecastPeriodMs = parseNumber('P2PCDN_FORECAST_PERIOD_MS', v);
  if ((v = get('P2PCDN_FORECAST_HORIZON')) !== undefined)
    out.forecastHorizon = parseNumber('P2PCDN_FORECAST_HORIZON', v);
  if ((v = get('P2PCDN_STRIPES')) !== undefined) out.stripes = parseNumber('P2PCDN_STRIPES', v);
  return out;
}

/** Fills in the planner's defaults and checks every value; throws {@link ConfigError}. */
export function resolvePlannerConfig(partial: Partial<PlannerConfig> = {}): PlannerConfig {
  const c: PlannerConfig = { ...DEFAULT_PLANNER_CONFIG, ...partial };
  if (c.kind !== 'tiered' && c.kind !== 'skeleton')
    throw new ConfigError(`planner must be tiered or skeleton, not "${String(c.kind)}"`);
  if (c.farmPolicy !== 'least-load' && c.farmPolicy !== 'round-robin') {
    throw new ConfigError(`farm policy must be least-load or round-robin, not "${String(c.farmPolicy)}"`);
  }
  for (const [name, value] of [
    ['high water', c.highWater],
    ['low water', c.lowWater],
  ] as const) {
    if (!(Number.isFinite(value) && value >= 0 && value <= 1))
      throw new ConfigError(`${name} must be a number from 0 to 1, not ${value}`);
  }
  if (!(c.lowWater < c.highWater)) {
    throw new ConfigError(
      `low water (${c.lowWater}) must be below high water (${c.highWater}), or nodes would flap`,
    );
  }
  if (!(Number.isInteger(c.warmupMs) && c.warmupMs >= 0 && c.warmupMs <= 600_000))
    throw new ConfigError(`warm-up must be a whole number of ms from 0 to 600000, not ${c.warmupMs}`);
  if (!(Number.isInteger(c.minActiveMs) && c.minActiveMs >= 0 && c.minActiveMs <= 3_600_000))
    throw new ConfigError(`min-active must be a whole number of ms from 0 to 3600000, not ${c.minActiveMs}`);
  if (typeof c.forecast !== 'boolean') throw new ConfigError('forecast must be on or off');
  if (!(Number.isInteger(c.forecastPeriodMs) && c.forecastPeriodMs >= 100 && c.forecastPeriodMs <= 3_600_000))
    throw new ConfigError(
      `forecast period must be a whole number of ms from 100 to 3600000, not ${c.forecastPeriodMs}`,
    );
  if (!(Number.isInteger(c.forecastHorizon) && c.forecastHorizon >= 1 && c.forecastHorizon <= 1000))
    throw new ConfigError(
      `forecast horizon must be a whole number of periods from 1 to 1000, not ${c.forecastHorizon}`,
    );
  if (!(Number.isInteger(c.stripes) && c.stripes >= 1 && c.stripes <= 16))
    throw new ConfigError(`stripes must be a whole number from 1 to 16, not ${c.stripes}`);
  if (c.kind === 'skeleton' && c.stripes !== 1)
    throw new ConfigError(`the skeleton planner does not stripe: stripes must be 1, not ${c.stripes}`);
  return c;
}
