/**
 * Tiered relay trees in real Chromium (issue 3): three relay workers, two player tabs and four
 * headless Node viewers on the live demo stream. Killing the relay that feeds the most children
 * (SIGKILL, no goodbye) must re-parent every orphan and stall no tab and skip no segment at any
 * Node viewer; when most viewers leave, the tree must shrink (a relay consolidated away or given
 * back by the forecast) with no missed or duplicated segment. Lean on purpose: CI has 2 cores.
 */
import { expect, test, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOrigin, type DemoOrigin } from '../../apps/signaling/src/origin/index.ts';
import { startCoordinator, type RunningCoordinator } from '../../apps/signaling/src/server.ts';
import { gapsAndDuplicates, InProcessViewer, until } from '../../packages/worker/test/helpers/viewers.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RELAY_CLI = path.join(ROOT, 'packages/worker/bin/p2pcdn-relay.js');
const STREAM = 'demo-live';

let origin: DemoOrigin;
let running: RunningCoordinator;
let dataDir: string;
const relays: Array<{ id: string; child: ChildProcess }> = [];
const viewers: InProcessViewer[] = [];

async function startRelay(name: string): Promise<{ id: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [RELAY_CLI, '--signal', running.url, '--bind-address', '127.0.0.1', '--name', name].concat([
      '--region',
      'local',
      '--upload-mbps',
      '5',
      '--cache-mb',
      '64',
    ]),
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const id = await until(`${name} registered`, () => /\brelay (\S+) registered/.exec(out)?.[1], 60_000);
  return { id, child };
}

async function stalls(page: Page): Promise<number> {
  return page.evaluate(
    () => ((window as unknown as { __p2pcdn?: { stalls?: number } }).__p2pcdn?.stalls ?? 0) as number,
  );
}

test.beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'p2pcdn-e2e-tiers-'));
  origin = await startOrigin({ host: '127.0.0.1', port: 0 });
  running = await startCoordinator({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    token: 'e2e-tiers-token',
    // Forecasting off: right after a burst of joins the Holt forecast keeps capacity for the
    // crowd it expects for a while, and this test is about threshold-driven consolidation.
    // Low-water 0.45: with 5 Mbit/s relays and a 1 Mbit/s stream, the three viewers left may
    // sit two per relay (load 0.4), which the default 0.2 rightly keeps; this test needs them
    // merged, so the mark is set where two children ask for it.
    planner: { kind: 'tiered', minActiveMs: 4000, forecast: false, lowWater: 0.45 },
  });
  await running.registrar.register({ id: STREAM, url: origin.streams.live, bitrateKbps: 1000 });
  for (const name of ['relay-1', 'relay-2', 'relay-3']) relays.push(await startRelay(name));
});

test.afterAll(async () => {
  await Promise.all(viewers.splice(0).map((v) => v.stop().catch(() => undefined)));
  for (const r of relays) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  await running?.close();
  await origin?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('a relay killed without goodbye and most viewers leaving: no stall, no gap, every orphan re-parented', async ({
  browser,
}) => {
  const c = running.coordinator;
  const pages: Page[] = [];
  for (let i = 0; i < 2; i++) {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${running.url}/?stream=${STREAM}`);
    pages.push(page);
  }
  for (let i = 0; i < 4; i++) {
    viewers.push(await InProcessViewer.start(running.url, STREAM, { name: `node-${i}`, region: 'local' }));
  }
  await until('every Node viewer playing', () => viewers.every((v) => v.media().length >= 3), 60_000);
  for (const page of pages) {
    await expect
      .poll(
        () =>
          page.evaluate(
            () => (window as unknown as { __p2pcdn?: { playedSec?: number } }).__p2pcdn?.playedSec ?? 0,
          ),
        {
          timeout: 60_000,
        },
      )
      .toBeGreaterThan(4);
  }

  // ── kill ─────────────────────────────────────────────────────────────────────────────────
  const victim = [...relays].sort(
    (a, b) => c.planner.children(STREAM, b.id).length - c.planner.children(STREAM, a.id).length,
  )[0];
  if (!victim) throw new Error('no relay');
  const orphans = c.planner.children(STREAM, victim.id);
  expect(orphans.length).toBeGreaterThan(0);
  const before = await Promise.all(pages.map(stalls));
  const counts = viewers.map((v) => v.media().length);
  victim.child.kill('SIGKILL');
  await until('the dead relay removed', () => !c.nodes.has(victim.id), 15_000);
  for (const orphan of orphans) {
    expect(c.planner.member(STREAM, orphan), orphan).toBeDefined();
    expect(c.planner.member(STREAM, orphan)?.parent, orphan).not.toBe(victim.id);
  }
  await until(
    'segments after the kill',
    () => viewers.every((v, i) => v.media().length >= (counts[i] ?? 0) + 4),
    60_000,
  );
  expect(await Promise.all(pages.map(stalls))).toEqual(before);

  // ── most viewers leave: the tree shrinks ─────────────────────────────────────────────────
  const activeBefore = c.tiered?.activeRelays(STREAM).length ?? 0;
  for (const v of viewers.slice(1)) await v.stop();
  const staying = viewers[0] as InProcessViewer;
  await until(
    'the tree to shrink',
    () => (c.tiered?.activeRelays(STREAM).length ?? 0) < activeBefore,
    60_000,
  ).catch((error: unknown) => {
    const log = c.events.recent().map((e) => `${e.kind}: ${e.message}`);
    throw new Error(`${(error as Error).message}\n${log.slice(-30).join('\n')}`, { cause: error });
  });
  const n = staying.media().length;
  await until('segments after the shrink', () => staying.media().length >= n + 3, 40_000);
  expect(await Promise.all(pages.map(stalls))).toEqual(before);
  for (const v of viewers) expect(gapsAndDuplicates(v.media()), v.nodeId).toEqual({ missing: [], twice: [] });
});
