import { parseArgs } from 'node:util';
import {
  ConfigError,
  parseFarmPolicy,
  parseNumber,
  parsePlannerKind,
  parsePort,
  parseSwitch,
  resolvePlannerConfig,
  type CoordinatorOptions,
  type IceServer,
} from './config.ts';
import type { PlannerConfig } from './coordinator/planner-config.ts';

/** The coordinator's command-line help. */
export const USAGE = `usage: p2pcdn-coordinator [options]

Runs the p2pcdn coordinator: socket.io signalling (/peer, /admin), the HTTP API (/api),
the player (/) and the admin dashboard (/admin/).

options:
  --port N              port to listen on (default $P2PCDN_PORT or 8080; 0 picks a free one)
  --host ADDRESS        interface to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
  --data-dir DIR        database directory (default $P2PCDN_DATA_DIR or .data/ at the repo root)
  --ice-server URL      STUN/TURN server handed to nodes (repeatable), e.g. stun:stun.example.org:3478
  --ice-username NAME   username for the TURN servers given with --ice-server
  --ice-credential PW   credential for the TURN servers given with --ice-server
  --heartbeat-ms N      how often nodes report (default 2000; three missed and a node is dead)

tree planner (each also from the environment variable in brackets):
  --planner NAME        tiered (default) or skeleton [P2PCDN_PLANNER]
  --high-water X        load (0-1) at which a node asks to distribute (default 0.8) [P2PCDN_HIGH_WATER]
  --low-water X         load (0-1) at which a relay asks to consolidate (default 0.2) [P2PCDN_LOW_WATER]
  --farm-policy NAME    least-load (default) or round-robin [P2PCDN_FARM_POLICY]
  --warmup-ms N         warm-up of a freshly activated relay (default 2000) [P2PCDN_WARMUP_MS]
  --min-active-ms N     no consolidation this soon after activation (default 10000) [P2PCDN_MIN_ACTIVE_MS]
  --forecast on|off     provision relays ahead of the Holt forecast (default on) [P2PCDN_FORECAST]
  --forecast-period-ms N  forecast period (default 5000) [P2PCDN_FORECAST_PERIOD_MS]
  --forecast-horizon N  periods to provision ahead (default 3) [P2PCDN_FORECAST_HORIZON]
  --stripes K           stripes per stream, 1-16: each viewer gets one parent per stripe
                        (default 1; tiered planner only) [P2PCDN_STRIPES]

  --help                show this help

The operator token comes from $P2PCDN_TOKEN, or is generated once and kept in the data dir.`;

/** What the command line asks for. */
export type CliCommand = { mode: 'help' } | { mode: 'run'; options: CoordinatorOptions };

const ICE_URL = /^(stun|stuns|turn|turns):[^\s]{1,500}$/;

/** Parses and validates the coordinator's flags; throws {@link ConfigError} with one sentence. */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  let values: ReturnType<typeof parse>['values'];
  try {
    ({ values } = parse(argv));
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return { mode: 'help' };
  const options: CoordinatorOptions = {};
  if (values.port !== undefined) options.port = parsePort('--port', values.port);
  if (values.host !== undefined) {
    if (!/^[A-Za-z0-9.:_-]{1,255}$/.test(values.host))
      throw new ConfigError(`--host "${values.host}" is not a host name or address`);
    options.host = values.host;
  }
  if (values['data-dir'] !== undefined) {
    if (values['data-dir'].trim() === '') throw new ConfigError('--data-dir must not be empty');
    options.dataDir = values['data-dir'];
  }
  if (values['heartbeat-ms'] !== undefined) {
    const ms = /^\d{1,7}$/.test(values['heartbeat-ms']) ? Number(values['heartbeat-ms']) : NaN;
    if (!(ms >= 200 && ms <= 600_000))
      throw new ConfigError('--heartbeat-ms must be a whole number from 200 to 600000');
    options.heartbeatMs = ms;
  }
  const urls = values['ice-server'] ?? [];
  for (const url of urls) {
    if (!ICE_URL.test(url))
      throw new ConfigError(`--ice-server "${url}" is not a stun:, stuns:, turn: or turns: URL`);
  }
  if (urls.length > 8) throw new ConfigError('at most 8 --ice-server URLs');
  const username = values['ice-username'];
  const credential = values['ice-credential'];
  if ((username === undefined) !== (credential === undefined)) {
    throw new ConfigError('--ice-username and --ice-credential go together');
  }
  if (username !== undefined && !urls.some((u) => u.startsWith('turn'))) {
    throw new ConfigError('--ice-username and --ice-credential need a turn: or turns: --ice-server');
  }
  if (urls.length > 0) {
    options.iceServers = urls.map((url): IceServer => {
      const server: IceServer = { urls: url };
      if (url.startsWith('turn') && username !== undefined && credential !== undefined) {
        server.username = username;
        server.credential = credential;
      }
      return server;
    });
  }
  const planner = plannerFlags(values);
  if (Object.keys(planner).length > 0) {
    // Checked here so a bad combination is reported before anything starts.
    resolvePlannerConfig(planner);
    options.planner = planner;
  }
  return { mode: 'run', options };
}

function plannerFlags(values: ReturnType<typeof parse>['values']): Partial<PlannerConfig> {
  const out: Partial<PlannerConfig> = {};
  if (values.planner !== undefined) out.kind = parsePlannerKind('--planner', values.planner);
  if (values['high-water'] !== undefined) out.highWater = parseNumber('--high-water', values['high-water']);
  if (values['low-water'] !== undefined) out.lowWater = parseNumber('--low-water', values['low-water']);
  if (values['farm-policy'] !== undefined)
    out.farmPolicy = parseFarmPolicy('--farm-policy', values['farm-policy']);
  if (values['warmup-ms'] !== undefined) out.warmupMs = parseNumber('--warmup-ms', values['warmup-ms']);
  if (values['min-active-ms'] !== undefined)
    out.minActiveMs = parseNumber('--min-active-ms', values['min-active-ms']);
  if (values.forecast !== undefined) out.forecast = parseSwitch('--forecast', values.forecast);
  if (values['forecast-period-ms'] !== undefined)
    out.forecastPeriodMs = parseNumber('--forecast-period-ms', values['forecast-period-ms']);
  if (values['forecast-horizon'] !== undefined)
    out.forecastHorizon = parseNumber('--forecast-horizon', values['forecast-horizon']);
  if (values.stripes !== undefined) out.stripes = parseNumber('--stripes', values.stripes);
  return out;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      'ice-server': { type: 'string', multiple: true },
      'ice-username': { type: 'string' },
      'ice-credential': { type: 'string' },
      'heartbeat-ms': { type: 'string' },
      planner: { type: 'string' },
      'high-water': { type: 'string' },
      'low-water': { type: 'string' },
      'farm-policy': { type: 'string' },
      'warmup-ms': { type: 'string' },
      'min-active-ms': { type: 'string' },
      forecast: { type: 'string' },
      'forecast-period-ms': { type: 'string' },
      'forecast-horizon': { type: 'string' },
      stripes: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
