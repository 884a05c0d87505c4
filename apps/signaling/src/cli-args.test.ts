import { describe, expect, it } from 'vitest';
import { parseCliArgs } from './cli-args.ts';
import { ConfigError, plannerFromEnv, resolveConfig, resolvePlannerConfig } from './config.ts';
import { DEFAULT_PLANNER_CONFIG } from './coordinator/planner-config.ts';

describe('parseCliArgs', () => {
  it('reads every flag', () => {
    expect(
      parseCliArgs([
        '--port=9000',
        '--host',
        '0.0.0.0',
        '--data-dir',
        '/tmp/x',
        '--ice-server',
        'stun:stun.example.org:3478',
        '--ice-server',
        'turn:turn.example.org',
        '--ice-username',
        'u',
        '--ice-credential',
        'p',
        '--heartbeat-ms',
        '1500',
      ]),
    ).toEqual({
      mode: 'run',
      options: {
        port: 9000,
        host: '0.0.0.0',
        dataDir: '/tmp/x',
        heartbeatMs: 1500,
        iceServers: [
          { urls: 'stun:stun.example.org:3478' },
          { urls: 'turn:turn.example.org', username: 'u', credential: 'p' },
        ],
      },
    });
    expect(parseCliArgs([])).toEqual({ mode: 'run', options: {} });
    expect(parseCliArgs(['-h'])).toEqual({ mode: 'help' });
  });

  it('refuses unknown, malformed and inconsistent flags with a sentence', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--nope'], /Unknown option '--nope'/],
      [['stray'], /positional/i],
      [['--port', '70000'], /--port must be a port number/],
      [['--port', 'abc'], /--port must be a port number/],
      [['--port'], /argument missing/],
      [['--heartbeat-ms', '10'], /--heartbeat-ms must be/],
      [['--ice-server', 'http://x'], /not a stun:/],
      [['--ice-username', 'u'], /go together/],
      [['--ice-server', 'stun:x', '--ice-username', 'u', '--ice-credential', 'p'], /need a turn/],
      [['--host', 'a b'], /not a host/],
    ];
    for (const [argv, message] of cases) {
      expect(() => parseCliArgs(argv), argv.join(' ')).toThrow(ConfigError);
      expect(() => parseCliArgs(argv), argv.join(' ')).toThrow(message);
    }
  });

  it('reads the planner flags', () => {
    const command = parseCliArgs([
      '--planner',
      'tiered',
      '--high-water',
      '0.7',
      '--low-water=0.1',
      '--farm-policy',
      'round-robin',
      '--warmup-ms',
      '500',
      '--min-active-ms',
      '3000',
      '--forecast',
      'off',
      '--forecast-period-ms',
      '2000',
      '--forecast-horizon',
      '4',
      '--stripes',
      '4',
    ]);
    expect(command).toEqual({
      mode: 'run',
      options: {
        planner: {
          kind: 'tiered',
          highWater: 0.7,
          lowWater: 0.1,
          farmPolicy: 'round-robin',
          warmupMs: 500,
          minActiveMs: 3000,
          forecast: false,
          forecastPeriodMs: 2000,
          forecastHorizon: 4,
          stripes: 4,
        },
      },
    });
    expect(parseCliArgs(['--planner', 'skeleton'])).toEqual({
      mode: 'run',
      options: { planner: { kind: 'skeleton' } },
    });
  });

  it('refuses bad planner settings with a sentence naming them', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--planner', 'magic'], /--planner must be tiered or skeleton/],
      [['--high-water', 'lots'], /--high-water must be a number/],
      [['--high-water', '1.5'], /high water must be a number from 0 to 1/],
      [['--low-water', '0.9'], /low water \(0.9\) must be below high water \(0.8\)/],
      [['--high-water', '0.3', '--low-water', '0.3'], /must be below high water/],
      [['--farm-policy', 'random'], /--farm-policy must be least-load or round-robin/],
      [['--warmup-ms=-1'], /warm-up must be a whole number/],
      [['--warmup-ms', '1.5'], /warm-up must be a whole number/],
      [['--forecast', 'maybe'], /--forecast must be on or off/],
      [['--forecast-period-ms', '10'], /forecast period must be/],
      [['--forecast-horizon', '0'], /forecast horizon must be/],
      [['--stripes', '0'], /stripes must be a whole number from 1 to 16, not 0/],
      [['--stripes', '17'], /stripes must be a whole number from 1 to 16/],
      [['--stripes', '1.5'], /stripes must be a whole number/],
      [['--stripes', 'two'], /--stripes must be a number/],
      [['--planner', 'skeleton', '--stripes', '2'], /the skeleton planner does not stripe/],
    ];
    for (const [argv, message] of cases) {
      expect(() => parseCliArgs(argv), argv.join(' ')).toThrow(ConfigError);
      expect(() => parseCliArgs(argv), argv.join(' ')).toThrow(message);
    }
  });
});

describe('planner configuration', () => {
  it('defaults to the tiered planner with forecasting', () => {
    expect(resolvePlannerConfig()).toEqual(DEFAULT_PLANNER_CONFIG);
    expect(DEFAULT_PLANNER_CONFIG.kind).toBe('tiered');
    expect(resolveConfig({}, {}).planner).toEqual(DEFAULT_PLANNER_CONFIG);
  });

  it('reads the environment, and options override it', () => {
    const env = {
      P2PCDN_PLANNER: 'skeleton',
      P2PCDN_HIGH_WATER: '0.9',
      P2PCDN_LOW_WATER: '0.3',
      P2PCDN_FARM_POLICY: 'round-robin',
      P2PCDN_WARMUP_MS: '100',
      P2PCDN_MIN_ACTIVE_MS: '0',
      P2PCDN_FORECAST: 'off',
      P2PCDN_FORECAST_PERIOD_MS: '1000',
      P2PCDN_FORECAST_HORIZON: '2',
      P2PCDN_STRIPES: '3',
    };
    expect(plannerFromEnv(env)).toEqual({
      kind: 'skeleton',
      highWater: 0.9,
      lowWater: 0.3,
      farmPolicy: 'round-robin',
      warmupMs: 100,
      minActiveMs: 0,
      forecast: false,
      forecastPeriodMs: 1000,
      forecastHorizon: 2,
      stripes: 3,
    });
    expect(resolveConfig({ planner: { kind: 'tiered' } }, env).planner).toMatchObject({
      kind: 'tiered',
      highWater: 0.9,
      stripes: 3,
    });
    expect(() => resolveConfig({}, { P2PCDN_STRIPES: '32' })).toThrow(/stripes must be a whole number/);
    expect(() => resolveConfig({}, { P2PCDN_LOW_WATER: 'x' })).toThrow(/P2PCDN_LOW_WATER must be a number/);
    expect(() => resolveConfig({}, { P2PCDN_FORECAST: 'sometimes' })).toThrow(ConfigError);
  });
});

describe('player build directory', () => {
  it('defaults to apps/player/dist, reads P2PCDN_PLAYER_DIST, and options override both', () => {
    expect(resolveConfig({}, {}).playerDist).toMatch(/apps[\\/]player[\\/]dist$/);
    expect(resolveConfig({}, { P2PCDN_PLAYER_DIST: '/tmp/player-build' }).playerDist).toBe(
      '/tmp/player-build',
    );
    expect(resolveConfig({ playerDist: '/srv/player' }, { P2PCDN_PLAYER_DIST: '/tmp/x' }).playerDist).toBe(
      '/srv/player',
    );
  });
});
