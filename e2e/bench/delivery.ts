/**
 * Browser benchmarks, side by side in one run: N Chromium tabs on the demo's live stream with the
 * p2pcdn player (two local relays) against plain hls.js straight from the origin.
 *
 * Reports per arm: origin copies (media segment bytes the origin sent ÷ one copy of the distinct
 * segments watched), time to first frame (median and max over tabs), stalls, P2P share.
 *
 *   node scripts/in-netns.mjs node --import tsx e2e/bench/delivery.ts [--tabs 3,6] [--watch 40] [--out FILE]
 */
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.ts';
import { startStack } from '../stack.ts';
import { startBaselineServer } from './baseline-page.ts';

interface TabFigures {
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
  errors: string[];
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
      startupMs: (f?.startupMs as number | null | undefined) ?? null,
      stalls: (f?.stalls as number | undefined) ?? 0,
      playedSec: (f?.playedSec as number | undefined) ?? 0,
      p2pBytes: (f?.p2pBytes as number | undefined) ?? 0,
      httpBytes: (f?.httpBytes as number | undefined) ?? 0,
      error: ((f?.error as string | null | undefined) ?? null) || null,
    };
  }, arm);
}

async function runArm(browser: Browser, arm: ArmResult['arm'], tabs: number): Promise<ArmResult> {
  const stack = await startStack();
  const baseline = arm === 'hls.js' ? await startBaselineServer() : undefined;
  // One browser context per tab: separate HTTP caches, as separate viewers have.
  const contexts: BrowserContext[] = [];
  try {
    const liveUrl = `${stack.originUrl}/live/index.m3u8`;
    await fetch(`${stack.originUrl}/stats/reset`, { method: 'POST' });
    const pages: Page[] = [];
    for (let i = 0; i < tabs; i++) {
      const context = await browser.newContext();
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(arm === 'p2pcdn' ? `${stack.url}/?stream=demo-live` : baseline!.pageUrl(liveUrl));
      pages.push(page);
      await page.waitForTimeout(1000);
    }
    const deadline = Date.now() + (WATCH_SEC + 90) * 1000;
    let figures: TabFigures[] = [];
    for (;;) {
      figures = await Promise.all(pages.map((p) => readFigures(p, arm)));
      const played = Math.min(...figures.map((f) => f.playedSec));
      process.stdout.write(
        `\r  ${arm} × ${tabs}: slowest tab played ${played.toFixed(1)} / ${WATCH_SEC} s   `,
      );
      if (played >= WATCH_SEC || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    process.stdout.write('\n');
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
if (values.out) writeFileSync(values.out, JSON.stringify(results, null, 2));
