/**
 * `npm run sim -- --viewers N --trace flash-crowd|diurnal|churn [--json] [--svg FILE]`
 *
 * Runs core's tree planner against the discrete-event simulator twice on the same trace — with
 * Holt forecasting and threshold-only — one worker thread each (two cores), prints the report
 * (JSON with `--json`) and writes an SVG chart of viewers, forecast and active relays.
 */
import {
  DEFAULT_SIM_CONFIG,
  simChart,
  simReport,
  simulate,
  TRACE_KINDS,
  type FarmPolicy,
  type SimConfig,
  type SimRun,
  type TraceKind,
} from '@p2pcdn/core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const USAGE = `usage: npm run sim -- [--viewers N] [--trace flash-crowd|diurnal|churn] [--json] [--svg FILE]
                      [--seed N] [--streams N] [--stripes K] [--relays N] [--policy least-load|round-robin]

Simulates N viewers (flash crowd: N logons; diurnal: N at the peak; churn: N steady) on relays
planned by the TieredPlanner, with Holt forecasting and threshold-only, and reports originCopies,
maxDepth, meanStretch, reconfigurations, viewersWithoutParentMs, plannerP99Micros and
forecastVsReactive. Defaults: 10000 viewers, flash-crowd, chart at bench-results/sim-<trace>.svg.`;

type Arm = 'forecast' | 'reactive';
type FromWorker = { type: 'progress'; arm: Arm; done: number } | { type: 'done'; arm: Arm; run: SimRun };
interface WorkerInput {
  arm: Arm;
  config: SimConfig;
}

class UsageError extends Error {}

function parseCommand(argv: string[]): { config: SimConfig; json: boolean; svg: string } {
  const { values } = parseArgs({
    args: argv,
    options: {
      viewers: { type: 'string' },
      trace: { type: 'string' },
      json: { type: 'boolean' },
      svg: { type: 'string' },
      seed: { type: 'string' },
      streams: { type: 'string' },
      stripes: { type: 'string' },
      relays: { type: 'string' },
      policy: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) throw new UsageError('');
  const int = (name: string, raw: string | undefined, fallback: number, min: number, max: number): number => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new UsageError(`--${name} must be an integer from ${min} to ${max}`);
    return n;
  };
  const trace = values.trace ?? DEFAULT_SIM_CONFIG.trace;
  if (!(TRACE_KINDS as readonly string[]).includes(trace))
    throw new UsageError(`--trace must be one of ${TRACE_KINDS.join(', ')}`);
  const policy = values.policy ?? DEFAULT_SIM_CONFIG.farmPolicy;
  if (policy !== 'least-load' && policy !== 'round-robin')
    throw new UsageError('--policy must be least-load or round-robin');
  const config: SimConfig = {
    ...DEFAULT_SIM_CONFIG,
    viewers: int('viewers', values.viewers, DEFAULT_SIM_CONFIG.viewers, 1, 2_000_000),
    trace: trace as TraceKind,
    seed: int('seed', values.seed, DEFAULT_SIM_CONFIG.seed, 0, 2 ** 31),
    streams: int('streams', values.streams, DEFAULT_SIM_CONFIG.streams, 1, 6),
    stripes: int('stripes', values.stripes, DEFAULT_SIM_CONFIG.stripes, 1, 16),
    relays: int('relays', values.relays, DEFAULT_SIM_CONFIG.relays, 0, 1_000_000),
    farmPolicy: policy as FarmPolicy,
  };
  return { config, json: values.json ?? false, svg: values.svg ?? `bench-results/sim-${trace}.svg` };
}

/** Starts this file again as a worker thread (registering tsx there when running from source). */
function startArm(input: WorkerInput): Worker {
  // A larger young generation: the simulation allocates many short-lived objects.
  const resourceLimits = { maxYoungGenerationSizeMb: 96 };
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL(import.meta.url), { workerData: input, resourceLimits });
  }
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
  return new Worker(code, { eval: true, workerData: input, resourceLimits });
}

function runArm(input: WorkerInput): void {
  const post = (message: FromWorker): void => parentPort?.postMessage(message);
  const config: SimConfig =
    input.arm === 'forecast'
      ? input.config
      : { ...input.config, forecasting: false, sampleEveryMs: -1, checkPlan: false };
  const run = simulate(config, {
    timer: () => performance.now(),
    onProgress: (done) => post({ type: 'progress', arm: input.arm, done }),
  });
  post({ type: 'done', arm: input.arm, run });
}

async function main(argv: string[]): Promise<number> {
  let command: ReturnType<typeof parseCommand>;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof TypeError)) throw error;
    if (error.message) process.stderr.write(`sim: ${error.message}\n`);
    process.stderr.write(`${USAGE}\n`);
    return error.message ? 2 : 0;
  }
  const started = performance.now();
  const progress: Record<Arm, number> = { forecast: 0, reactive: 0 };
  let lastReport = 0;
  const runs = await Promise.all(
    (['forecast', 'reactive'] as const).map(
      (arm) =>
        new Promise<SimRun>((done, fail) => {
          const worker = startArm({ arm, config: command.config });
          worker.on('message', (message: FromWorker) => {
            if (message.type === 'done') {
              done(message.run);
              void worker.terminate();
              return;
            }
            progress[message.arm] = message.done;
            const now = performance.now();
            if (now - lastReport < 2000) return;
            lastReport = now;
            const pct = (x: number): string => `${Math.round(x * 100)}%`;
            process.stderr.write(
              `sim: ${command.config.trace} ×${command.config.viewers}: forecast ${pct(progress.forecast)}, threshold-only ${pct(progress.reactive)} (${((now - started) / 1000).toFixed(0)} s)\n`,
            );
          });
          worker.on('error', fail);
        }),
    ),
  );
  const [forecast, reactive] = runs as [SimRun, SimRun];
  const svgPath = resolve(command.svg);
  mkdirSync(dirname(svgPath), { recursive: true });
  writeFileSync(svgPath, simChart(forecast, reactive));
  const report = {
    ...simReport(forecast, reactive),
    wallSeconds: Math.round((performance.now() - started) / 100) / 10,
    /** CPU of the whole process (both worker threads), user + system. */
    cpuSeconds: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1e5) / 10,
    svg: command.svg,
    machine: { cpus: cpus().length, loadAverage1m: Math.round((loadavg()[0] ?? 0) * 10) / 10 },
  };
  if (command.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const g = report.goals;
    const mark = (met: boolean): string => (met ? 'met' : 'MISSED');
    process.stdout.write(
      [
        `${report.trace}, ${report.viewers} viewers, ${report.streams} streams × ${report.stripes} stripe(s), ${report.relays} relays`,
        `originCopies ${report.originCopies} (${mark(g.originCopies.met)}), maxDepth ${report.maxDepth} ≤ ${report.depthBound} (${mark(g.maxDepth.met)}), meanStretch ${report.meanStretch}`,
        `plannerP99Micros ${report.plannerP99Micros} (${mark(g.plannerP99Micros.met)}), reconfigurations ${report.reconfigurations}`,
        `viewers who waited for a relay: ${report.forecastVsReactive.forecast.viewersWaited} forecasting vs ${report.forecastVsReactive.reactive.viewersWaited} threshold-only (${mark(g.forecastHalvesWaits.met)})`,
        `chart: ${command.svg}; ${report.wallSeconds} s`,
        '',
      ].join('\n'),
    );
  }
  return 0;
}

if (isMainThread) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `sim: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
} else {
  runArm(workerData as WorkerInput);
}
