/**
 * Browser benchmarks, side by side in one run: N Chromium tabs on the demo's live stream with the
 * p2pcdn player (two local relays) against plain hls.js straight from the origin.
 *
 * Reports per arm: origin copies (media segment bytes the origin sent ÷ one copy of the distinct
 * segments watched), time to first frame (median and max over tabs), stalls, P2P share, and the
 * median startup timeline (when each startup step happened, ms since navigation, with where the
 * first segments came from); for the p2pcdn arm also the deepest tree the coordinator planned.
 *
 *   node scripts/in-netns.mjs node --import tsx e2e/bench/delivery.ts [--tabs 3,6] [--watch 40] [--out FILE]
 */
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.ts';
import { startStack } from '../stack.ts';
import { startBaselineServer } from './baseline-page.ts';
import { cpuDelta, cpuSnapshot } from './cpu.ts';

/** One startup step as the pages publish it (`timeline` in `__p2pcdn` and `__baseline`). */
interface TimelineEntry {
  step: string;
  atMs: number;
  source?: string;
  tookMs?: number;
}

interface TabFigures {
  timeline: TimelineEntry[];
  /** What each stalled tab knew at each stall (p2pcdn only; see the player's `stallLog`). */
  stallLog: unknown[];
  startupMs: number | null;
  stalls: number;
  playedSec: number;
  p2pBytes: number;
  httpBytes: number;
  error: string | null;
}

export interface ArmResult {
  arm: 'p2pcdn' | 'hls.js';
  tabs: number;
  watchSec: number;
  originSegmentBytes: number;
  oneCopyBytes: number;
  originCopies: number;
  startupMedianMs: number;
  startupMaxMs: number;
  stalls: number;
  p2pShare: number;
  /** Per step: median time over the tabs that reached it, and where segments came from. */
  timeline: StepSummary[];
  /** The same, one line (`step ms [source took]` · …), as printed and written to the doc. */
  timelineLine: string;
  /** Per tab, its own timeline (for digging into one slow start). */
  tabTimelines: TimelineEntry[][];
  /** Per tab, its stall records (p2pcdn). */
  stallLogs: unknown[][];
  /** p2pcdn only: the most viewers seen on one tier, and the deepest viewer tier, during the run. */
  tree?: { maxTier: number; viewersByTier: Record<number, number> };
  /**
   * CPU seconds per wall-clock second over the arm: all of Chromium, the stack (coordinator,
   * origin, relays), and the median tab's main thread (Chromium's TaskDuration).
   */
  cpu: { browser: number; stack: number; tabMainThread: number };
  /** 1-minute load average when the arm started and ended (the machine is shared). */
  loadAverage: string;
  errors: string[];
}

interface StepSummary {
  step: string;
  medianMs: number;
  tabs: number;
  /** e.g. `{ p2p: 2, http: 1 }` for segment steps. */
  sources: Record<string, number>;
  medianTookMs?: number;
}

const { values } = parseArgs({
  options: {
    tabs: { type: 'string', default: '3,6' },
    watch: { type: 'string', default: '40' },
    out: { type: 'string' },
  },
  strict: true,
});
const TAB_COUNTS = (values.tabs ?? '3,6').split(',').map((s) => Number.parseInt(s, 10));
const WATCH_SEC = Number(values.watch);
if (TAB_COUNTS.some((n) => !Number.isInteger(n) || n < 1 || n > 12) || !(WATCH_SEC >= 5)) {
  console.error('usage: delivery.ts [--tabs 3,6] [--watch SECONDS≥5] [--out FILE]');
  process.exit(2);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function readFigures(page: Page, arm: ArmResult['arm']): Promise<TabFigures> {
  return page.evaluate((which) => {
    const w = window as unknown as Record<string, Record<string, unknown> | undefined>;
    const f = which === 'p2pcdn' ? w.__p2pcdn : w.__baseline;
    return {
      timeline: (f?.timeline as TimelineEntry[] | undefined) ?? [],
      stallLog: (f?.stallLog as unknown[] | undefined) ?? [],
      startupMs: (f?.startupMs as number | null | undefined) ?? null,
      stalls: (f?.stalls as number | undefined) ?? 0,
      playedSec: (f?.playedSec as number | undefined) ?? 0,
      p2pBytes: (f?.p2pBytes as number | undefined) ?? 0,
      httpBytes: (f?.httpBytes as number | undefined) ?? 0,
      error: ((f?.error as string | null | undefined) ?? null) || null,
    };
  }, arm);
}

/** Median time of each step over the tabs, in the order the median says. */
function summarizeTimelines(timelines: TimelineEntry[][]): StepSummary[] {
  const bySteps = new Map<string, TimelineEntry[]>();
  for (const entries of timelines) {
    for (const entry of entries) bySteps.set(entry.step, [...(bySteps.get(entry.step) ?? []), entry]);
  }
  return [...bySteps]
    .map(([step, entries]) => {
      const sources: Record<string, number> = {};
      for (const e of entries) if (e.source) sources[e.source] = (sources[e.source] ?? 0) + 1;
      const took = entries.map((e) => e.tookMs).filter((x): x is number => x !== undefined);
      return {
        step,
        medianMs: median(entries.map((e) => e.atMs)),
        tabs: entries.length,
        sources,
        ...(took.length > 0 ? { medianTookMs: median(took) } : {}),
      };
    })
    .sort((a, b) => a.medianMs - b.medianMs);
}

function formatTimeline(steps: StepSummary[], tabs: number): string {
  return steps
    .map((s) => {
      const src = Object.entries(s.sources)
        .map(([k, n]) => `${k}${n === tabs ? '' : `×${n}`}`)
        .join('/');
      const took = s.medianTookMs === undefined ? '' : ` ${Math.round(s.medianTookMs)}ms`;
      const partial = s.tabs < tabs ? ` (${s.tabs}/${tabs} tabs)` : '';
      return `${s.step} ${Math.round(s.medianMs)}${src || took ? ` [${[src, took.trim()].filter(Boolean).join(' ')}]` : ''}${partial}`;
    })
    .join(' · ');
}

interface TopologyEdgeLike {
  from: string;
  to: string;
}

/** Tier of every viewer in the planned tree (1 = fed by the origin). */
async function viewerTiers(coordinatorUrl: string): Promise<number[]> {
  try {
    const res = await fetch(`${coordinatorUrl}/api/streams/demo-live/topology`);
    if (!res.ok) return [];
    const topo = (await res.json()) as { nodes: { id: string; role: string }[]; edges: TopologyEdgeLike[] };
    const parentOf = new Map(topo.edges.map((e) => [e.to, e.from]));
    const viewers = topo.nodes.filter((n) => n.role === 'viewer').map((n) => n.id);
    return viewers.map((id) => {
      let tier = 0;
      for (let at: string | undefined = id; at !== undefined && parentOf.has(at) && tier < 64; tier++) {
        at = parentOf.get(at);
      }
      return tier;
    });
  } catch {
    return [];
  }
}

async function runArm(browser: Browser, arm: ArmResult['arm'], tabs: number): Promise<ArmResult> {
  const stack = await startStack();
  const baseline = arm === 'hls.js' ? await startBaselineServer() : undefined;
  // One browser context per tab: separate HTTP caches, as separate viewers have.
  const contexts: BrowserContext[] = [];
  const cpuBefore = cpuSnapshot();
  const loadBefore = loadavg()[0]?.toFixed(1) ?? '–';
  const startedAt = Date.now();
  try {
    const liveUrl = `${stack.originUrl}/live/index.m3u8`;
    await fetch(`${stack.originUrl}/stats/reset`, { method: 'POST' });
    const pages: Page[] = [];
    const cdps: CDPSession[] = [];
    for (let i = 0; i < tabs; i++) {
      const context = await browser.newContext();
      contexts.push(context);
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      cdps.push(cdp);
      await page.goto(arm === 'p2pcdn' ? `${stack.url}/?stream=demo-live` : baseline!.pageUrl(liveUrl));
      pages.push(page);
      await page.waitForTimeout(1000);
    }
    const deadline = Date.now() + (WATCH_SEC + 90) * 1000;
    let figures: TabFigures[] = [];
    const tree = { maxTier: 0, viewersByTier: {} as Record<number, number> };
    for (;;) {
      figures = await Promise.all(pages.map((p) => readFigures(p, arm)));
      if (arm === 'p2pcdn') {
        const tiers = await viewerTiers(stack.url);
        const counts: Record<number, number> = {};
        for (const t of tiers) counts[t] = (counts[t] ?? 0) + 1;
        if (tiers.length > 0 && Math.max(...tiers) >= tree.maxTier) {
          tree.maxTier = Math.max(...tiers);
          tree.viewersByTier = counts;
        }
      }
      const played = Math.min(...figures.map((f) => f.playedSec));
      process.stdout.write(
        `\r  ${arm} × ${tabs}: slowest tab played ${played.toFixed(1)} / ${WATCH_SEC} s   `,
      );
      if (played >= WATCH_SEC || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    process.stdout.write('\n');
    const wallSec = (Date.now() - startedAt) / 1000;
    const cpu = cpuDelta(cpuBefore, cpuSnapshot());
    const mainThread = await Promise.all(
      cdps.map(async (cdp) => {
        const { metrics } = await cdp.send('Performance.getMetrics');
        const value = (name: string): number => metrics.find((m) => m.name === name)?.value ?? 0;
        return value('TaskDuration') / Math.max(1, wallSec);
      }),
    );
    const origin = (await (await fetch(`${stack.originUrl}/stats`)).json()) as {
      streams: { live: { segmentBytes: number; oneCopyBytes: number } };
    };
    const { segmentBytes, oneCopyBytes } = origin.streams.live;
    const p2p = figures.reduce((s, f) => s + f.p2pBytes, 0);
    const http = figures.reduce((s, f) => s + f.httpBytes, 0);
    const startups = figures.map((f) => f.startupMs).filter((x): x is number => x !== null);
    return {
      arm,
      tabs,
      watchSec: WATCH_SEC,
      originSegmentBytes: segmentBytes,
      oneCopyBytes,
      originCopies: oneCopyBytes > 0 ? segmentBytes / oneCopyBytes : NaN,
      startupMedianMs: median(startups),
      startupMaxMs: Math.max(...startups),
      stalls: figures.reduce((s, f) => s + f.stalls, 0),
      p2pShare: p2p + http > 0 ? p2p / (p2p + http) : 0,
      timeline: summarizeTimelines(figures.map((f) => f.timeline)),
      timelineLine: formatTimeline(summarizeTimelines(figures.map((f) => f.timeline)), tabs),
      tabTimelines: figures.map((f) => f.timeline),
      stallLogs: figures.map((f) => f.stallLog),
      ...(arm === 'p2pcdn' ? { tree } : {}),
      cpu: {
        browser: cpu.browserSec / wallSec,
        stack: cpu.stackSec / wallSec,
        tabMainThread: median(mainThread),
      },
      loadAverage: `${loadBefore} → ${loadavg()[0]?.toFixed(1) ?? '–'}`,
      errors: [
        ...figures.flatMap((f, i) => (f.error ? [`tab ${i + 1}: ${f.error}`] : [])),
        ...(startups.length < tabs ? [`${tabs - startups.length} tab(s) never started`] : []),
      ],
    };
  } finally {
    await Promise.all(contexts.map((c) => c.close()));
    await baseline?.close();
    await stack.stop();
  }
}

const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
const results: ArmResult[] = [];
try {
  for (const tabs of TAB_COUNTS) {
    for (const arm of ['hls.js', 'p2pcdn'] as const) {
      results.push(await runArm(browser, arm, tabs));
    }
  }
} finally {
  await browser.close();
}
for (const r of results) {
  console.log(
    `${r.arm.padEnd(7)} tabs=${r.tabs} originCopies=${r.originCopies.toFixed(2)} startup(median)=${r.startupMedianMs.toFixed(0)}ms stalls=${r.stalls} p2pShare=${(r.p2pShare * 100).toFixed(1)}%${r.errors.length ? ' errors: ' + r.errors.join('; ') : ''}`,
  );
}
console.log('\nmedian startup timeline (ms since navigation; [segment source, load time]):');
for (const r of results) {
  console.log(`  ${r.arm.padEnd(7)} tabs=${r.tabs}: ${r.timelineLine}`);
  if (r.tree) {
    const tiers = Object.entries(r.tree.viewersByTier)
      .map(([tier, n]) => `tier ${tier}: ${n}`)
      .join(', ');
    console.log(`  ${''.padEnd(7)} tabs=${r.tabs}: deepest viewer tier ${r.tree.maxTier} (${tiers})`);
  }
  r.stallLogs.forEach((log, i) => {
    if (log.length > 0)
      console.log(`  ${''.padEnd(7)} tabs=${r.tabs}: tab ${i + 1} stalls: ${JSON.stringify(log)}`);
  });
  const { browser, stack, tabMainThread } = r.cpu;
  console.log(
    `  ${''.padEnd(7)} tabs=${r.tabs}: CPU (cores busy) browser ${browser.toFixed(2)}, stack ${stack.toFixed(2)}, median tab main thread ${tabMainThread.toFixed(3)}; load average ${r.loadAverage}`,
  );
}
if (values.out) writeFileSync(values.out, JSON.stringify(results, null, 2));
