/**
 * Time to first frame of several player builds and plain hls.js, interleaved round by round on
 * the live demo stream: on a shared machine whose load drifts by the minute, a before/after
 * comparison is only fair when both builds are measured in the same minutes. Each build gets its
 * own stack (coordinator serving that build, demo origin, two relays), started once; each round
 * opens N tabs per arm (fresh browser contexts, one second apart) and waits for their first frame,
 * the arms' order rotating from round to round.
 *
 *   npm run build -w apps/player -- --outDir /tmp/before   # on the old commit, then on the new one
 *   node scripts/in-netns.mjs node --import tsx e2e/bench/startup-ab.ts \
 *     --build before=/tmp/before --build after=apps/player/dist [--rounds 5] [--tabs 3] [--out FILE]
 */
import { chromium, type Browser, type Page } from '@playwright/test';
import { existsSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.ts';
import { startStack, type RunningStack } from '../stack.ts';
import { startBaselineServer } from './baseline-page.ts';

interface TimelineEntry {
  step: string;
  atMs: number;
}

interface PageFigures {
  startupMs: number | null;
  timeline: TimelineEntry[];
}

interface Arm {
  name: string;
  url: string;
  /** `window.__p2pcdn` (player builds) or `window.__baseline` (plain hls.js). */
  figures: '__p2pcdn' | '__baseline';
  startups: number[];
  /** Per round, the median over its tabs. */
  roundMedians: number[];
  steps: Map<string, number[]>;
  failures: number;
}

const { values } = parseArgs({
  options: {
    build: { type: 'string', multiple: true },
    rounds: { type: 'string', default: '5' },
    tabs: { type: 'string', default: '3' },
    out: { type: 'string' },
  },
  strict: true,
});
const builds = (values.build ?? []).map((spec) => {
  const at = spec.indexOf('=');
  return { name: spec.slice(0, at), dir: path.resolve(spec.slice(at + 1)) };
});
const ROUNDS = Number(values.rounds);
const TABS = Number(values.tabs);
if (
  builds.length === 0 ||
  builds.some((b) => !b.name || !existsSync(path.join(b.dir, 'index.html'))) ||
  !(Number.isInteger(ROUNDS) && ROUNDS >= 1) ||
  !(Number.isInteger(TABS) && TABS >= 1 && TABS <= 12)
) {
  console.error(
    'usage: startup-ab.ts --build NAME=DIST_DIR [--build …] [--rounds N] [--tabs N] [--out FILE]',
  );
  process.exit(2);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function readFigures(page: Page, key: Arm['figures']): Promise<PageFigures> {
  return page.evaluate((which) => {
    const f = (window as unknown as Record<string, Record<string, unknown> | undefined>)[which];
    return {
      startupMs: (f?.startupMs as number | null | undefined) ?? null,
      timeline: (f?.timeline as TimelineEntry[] | undefined) ?? [],
    };
  }, key);
}

/** Opens `TABS` tabs of `arm`, one second apart, and records their first frames. */
async function runRound(browser: Browser, arm: Arm): Promise<void> {
  const contexts = [];
  const pages: Page[] = [];
  try {
    for (let i = 0; i < TABS; i++) {
      const context = await browser.newContext();
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(arm.url);
      pages.push(page);
      await page.waitForTimeout(1000);
    }
    const round: number[] = [];
    for (const page of pages) {
      await page
        .waitForFunction(
          (key) =>
            (window as unknown as Record<string, { startupMs?: unknown } | undefined>)[key]?.startupMs !=
            null,
          arm.figures,
          {
            timeout: 30_000,
          },
        )
        .catch(() => undefined);
      // A tab whose renderer crashed counts as one that never started.
      const f = await readFigures(page, arm.figures).catch((error: unknown) => {
        console.error(`  ${arm.name}: ${error instanceof Error ? error.message.split('\n')[0] : error}`);
        return { startupMs: null, timeline: [] };
      });
      if (f.startupMs === null) {
        arm.failures++;
        continue;
      }
      round.push(f.startupMs);
      for (const e of f.timeline) arm.steps.set(e.step, [...(arm.steps.get(e.step) ?? []), e.atMs]);
    }
    arm.startups.push(...round);
    arm.roundMedians.push(median(round));
  } finally {
    await Promise.all(contexts.map((c) => c.close()));
  }
  // Let the coordinator notice the departures before the next arm's tabs join.
  await new Promise((resolve) => setTimeout(resolve, 2000));
}

const stacks: RunningStack[] = [];
const baseline = await startBaselineServer();
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
const loadBefore = loadavg()[0]?.toFixed(1);
const arms: Arm[] = [];
try {
  for (const build of builds) stacks.push(await startStack({ playerDist: build.dir }));
  const fresh = (name: string, url: string, figures: Arm['figures']): Arm => ({
    name,
    url,
    figures,
    startups: [],
    roundMedians: [],
    steps: new Map(),
    failures: 0,
  });
  arms.push(fresh('hls.js', baseline.pageUrl(`${stacks[0]!.originUrl}/live/index.m3u8`), '__baseline'));
  builds.forEach((build, i) =>
    arms.push(fresh(build.name, `${stacks[i]!.url}/?stream=demo-live`, '__p2pcdn')),
  );
  for (let round = 0; round < ROUNDS; round++) {
    const order = arms.map((_, i) => arms[(i + round) % arms.length]!);
    for (const arm of order) await runRound(browser, arm);
    console.log(
      `round ${round + 1}: ${arms.map((a) => `${a.name} ${Math.round(a.roundMedians.at(-1) ?? NaN)} ms`).join(' · ')}`,
    );
  }
} finally {
  await browser.close();
  await baseline.close();
  await Promise.all(stacks.map((s) => s.stop()));
}

const http = median(arms[0]!.startups);
const summary = arms.map((arm) => ({
  arm: arm.name,
  firstFrameMedianMs: median(arm.startups),
  ratioToHlsJs: median(arm.startups) / http,
  tabs: arm.startups.length,
  failures: arm.failures,
  roundMedians: arm.roundMedians,
  timeline: [...arm.steps]
    .map(([step, times]) => ({ step, medianMs: median(times) }))
    .sort((a, b) => a.medianMs - b.medianMs),
}));
console.log(
  `\n${ROUNDS} rounds × ${TABS} tabs per arm; load average ${loadBefore} → ${loadavg()[0]?.toFixed(1)}`,
);
for (const s of summary) {
  console.log(
    `${s.arm}: first frame median ${Math.round(s.firstFrameMedianMs)} ms (${s.tabs} tabs${s.failures ? `, ${s.failures} never started` : ''}), ${s.ratioToHlsJs.toFixed(2)}× plain hls.js`,
  );
  console.log(`  ${s.timeline.map((t) => `${t.step} ${Math.round(t.medianMs)}`).join(' · ')}`);
}
if (values.out) writeFileSync(values.out, JSON.stringify({ rounds: ROUNDS, tabs: TABS, summary }, null, 2));
