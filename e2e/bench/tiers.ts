/**
 * Tiered relay trees on the live stack (issue 3's live goals), in a loopback namespace:
 *
 *   node scripts/in-netns.mjs node --import tsx e2e/bench/tiers.ts [--viewers 30] [--tabs 4] [--out FILE]
 *
 * Coordinator (tiered planner) and demo origin in this process, 3 relay workers as
 * `p2pcdn-relay` processes, Chromium tabs on the player and headless Node viewers (the worker's
 * viewer mode, in this process). Measures: the forest's tiers below the origin, origin copies
 * (the demo origin's own /stats), then kills the relay feeding the most children (SIGKILL) and
 * measures how long until every orphan has a new parent in the plan and a confirmed link, tab
 * stalls and Node-viewer gaps; then stops all but 5 Node viewers and waits for consolidation,
 * checking for missed or duplicated segments. Needs apps/player/dist (npm run build -w apps/player).
 */
import { chromium, type Browser, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startOrigin } from '../../apps/signaling/src/origin/index.ts';
import { startCoordinator } from '../../apps/signaling/src/server.ts';
import { gapsAndDuplicates, InProcessViewer, until } from '../../packages/worker/test/helpers/viewers.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RELAY_CLI = path.join(ROOT, 'packages/worker/bin/p2pcdn-relay.js');
const STREAM = 'demo-live';
const SEGMENT_MS = 2000;

const { values } = parseArgs({
  options: {
    viewers: { type: 'string', default: '30' },
    tabs: { type: 'string', default: '4' },
    leave: { type: 'string', default: '25' },
    'relay-mbps': { type: 'string', default: '16' },
    out: { type: 'string' },
  },
});
const VIEWERS = Number(values.viewers);
const TABS = Number(values.tabs);
const LEAVING = Math.min(VIEWERS, Number(values.leave));
const RELAY_MBPS = Number(values['relay-mbps']);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const say = (line: string): void => console.log(line);

interface RelayProcess {
  name: string;
  id: string;
  child: ChildProcess;
}

async function startRelay(signalUrl: string, name: string): Promise<RelayProcess> {
  const child = spawn(
    process.execPath,
    [
      RELAY_CLI,
      '--signal',
      signalUrl,
      '--bind-address',
      '127.0.0.1',
      '--name',
      name,
      '--upload-mbps',
      String(RELAY_MBPS),
      '--cache-mb',
      '64',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEBUG_COLORS: '0' } },
  );
  child.stdin?.end();
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const id = await until(`${name} registered`, () => /\brelay (\S+) registered/.exec(out)?.[1], 60_000);
  return { name, id, child };
}

async function tabStalls(page: Page): Promise<{ stalls: number; p2pBytes: number; error: string | null }> {
  return page.evaluate(() => {
    const f = (window as unknown as { __p2pcdn?: Record<string, unknown> }).__p2pcdn;
    return {
      stalls: (f?.stalls as number | undefined) ?? 0,
      p2pBytes: (f?.p2pBytes as number | undefined) ?? 0,
      error: ((f?.error as string | null | undefined) ?? null) || null,
    };
  });
}

const load1 = (): string => (loadavg()[0] ?? 0).toFixed(1);

async function main(): Promise<void> {
  const loadAtStart = load1();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'p2pcdn-tiers-'));
  const origin = await startOrigin({ host: '127.0.0.1', port: 0 });
  const running = await startCoordinator({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    token: 'tiers-bench-token',
    planner: { kind: 'tiered', minActiveMs: 10_000 },
  });
  const c = running.coordinator;
  const relays: RelayProcess[] = [];
  const viewers: InProcessViewer[] = [];
  let browser: Browser | undefined;
  try {
    await running.registrar.register({ id: STREAM, url: origin.streams.live, bitrateKbps: 1000 });
    const signalUrl = running.url;
    for (const name of ['relay-1', 'relay-2', 'relay-3']) {
      const r = await startRelay(signalUrl, name);
      relays.push(r);
    }
    say(`stack up: ${running.url}, relays ${relays.map((r) => `${r.name}=${r.id}`).join(', ')}`);

    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    const pages: Page[] = [];
    for (let i = 0; i < TABS; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${running.url}/?stream=${STREAM}`);
      pages.push(page);
    }
    for (let i = 0; i < VIEWERS; i++) {
      viewers.push(await InProcessViewer.start(running.url, STREAM, { name: `node-${i}` }));
      await sleep(150);
    }
    say(`${TABS} tabs and ${VIEWERS} Node viewers joined; settling`);
    await until('every Node viewer playing', () => viewers.every((v) => v.media().length >= 3), 90_000);
    await sleep(10_000);

    // ── the forest ────────────────────────────────────────────────────────────────────────
    const members = c.planner.members(STREAM);
    const maxTier = Math.max(...members.map((m) => m.tier));
    const relayTiers = relays.map((r) => c.planner.member(STREAM, r.id)?.tier ?? null);
    const byTier: Record<number, number> = {};
    for (const m of members) byTier[m.tier] = (byTier[m.tier] ?? 0) + 1;
    const stats = origin.stats().streams.live;
    const originCopiesStartup = stats.oneCopyBytes === 0 ? 0 : stats.segmentBytes / stats.oneCopyBytes;
    // Steady state: the origin's own counters over 20 s with every viewer playing.
    origin.resetStats();
    await sleep(20_000);
    const steady = origin.stats().streams.live;
    const originCopies = steady.oneCopyBytes === 0 ? 0 : steady.segmentBytes / steady.oneCopyBytes;
    say(
      `forest: ${members.length} members, tiers ${JSON.stringify(byTier)}, relays at ${JSON.stringify(relayTiers)}`,
    );
    say(
      `origin copies: ${originCopiesStartup.toFixed(3)} from the start, ${originCopies.toFixed(3)} in 20 s of steady state`,
    );

    // ── relay kill ────────────────────────────────────────────────────────────────────────
    const stallsBefore = await Promise.all(pages.map(tabStalls));
    const victim = [...relays].sort(
      (a, b) => c.planner.children(STREAM, b.id).length - c.planner.children(STREAM, a.id).length,
    )[0] as RelayProcess;
    const orphans = c.planner.children(STREAM, victim.id);
    const deadBefore = c.events.recent().filter((e) => e.kind === 'dead').length;
    const counts = new Map(viewers.map((v) => [v.nodeId, v.media().length]));
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    const planned = new Map<string, number>();
    const confirmed = new Map<string, number>();
    await until(
      'every orphan re-parented and connected',
      () => {
        const now = Date.now();
        for (const o of orphans) {
          const m = c.planner.member(STREAM, o);
          if (!m || m.parent === victim.id) continue;
          if (!planned.has(o)) planned.set(o, now - killedAt);
          const ok = m.parent === null ? true : c.isConfirmed(STREAM, o, m.parent);
          if (ok && !confirmed.has(o)) confirmed.set(o, now - killedAt);
        }
        return confirmed.size === orphans.length;
      },
      30_000,
    ).catch(() => undefined);
    const relaysLeft = relays.filter((r) => r !== victim);
    await sleep(20_000);
    const stallsAfterKill = await Promise.all(pages.map(tabStalls));
    const killGaps = viewers.map((v) => gapsAndDuplicates(v.media()));
    const progressed = viewers.filter((v) => v.media().length >= (counts.get(v.nodeId) ?? 0) + 5).length;
    const reparent = {
      victim: victim.name,
      orphans: orphans.length,
      orphansReparented: planned.size,
      orphansConfirmed: confirmed.size,
      planMaxMs: Math.max(0, ...planned.values()),
      confirmedMaxMs: Math.max(0, ...confirmed.values()),
      withinOneSegment:
        [...confirmed.values()].every((ms) => ms <= SEGMENT_MS) && confirmed.size === orphans.length,
      tabStallsDuring: stallsAfterKill.reduce((s, f, i) => s + f.stalls - (stallsBefore[i]?.stalls ?? 0), 0),
      nodeViewersWithGap: killGaps.filter((g) => g.missing.length > 0).length,
      nodeViewersWithDuplicate: killGaps.filter((g) => g.twice.length > 0).length,
      nodeViewersProgressed: progressed,
      /** Nodes declared dead for missed heartbeats meanwhile (an overloaded machine). */
      othersDeclaredDead: c.events.recent().filter((e) => e.kind === 'dead').length - deadBefore,
    };
    say(`relay kill: ${JSON.stringify(reparent)}`);

    // ── consolidation ─────────────────────────────────────────────────────────────────────
    const eventsBefore = c.events.recent().length;
    const since = () => c.events.recent().slice(eventsBefore);
    const activeBefore = c.tiered?.activeRelays(STREAM).length ?? 0;
    const leaving = viewers.slice(0, LEAVING);
    const staying = viewers.slice(LEAVING);
    await Promise.all(leaving.map((v) => v.stop()));
    const stayCounts = new Map(staying.map((v) => [v.nodeId, v.media().length]));
    // A relay goes either on its own `consolidate` request or when the forecast's regrouping
    // (`provision`) gives it back, whichever comes first.
    await until(
      'a consolidation',
      () => (c.tiered?.activeRelays(STREAM).length ?? 0) < activeBefore,
      60_000,
    ).catch(() => undefined);
    await sleep(15_000);
    const stallsEnd = await Promise.all(pages.map(tabStalls));
    const endGaps = staying.map((v) => gapsAndDuplicates(v.media()));
    const consolidation = {
      viewersLeft: LEAVING,
      activeRelaysBefore: activeBefore,
      activeRelaysAfter: c.tiered?.activeRelays(STREAM).length ?? 0,
      consolidateRequests: since().filter((e) => e.kind === 'consolidate').length,
      consolidated: since()
        .filter((e) => e.kind === 'consolidate' && /consolidated away/.test(e.message))
        .map((e) => e.message),
      /** Relays released by the forecast's regrouping (`provision`), not by a request of theirs. */
      releasedByForecast: since().filter((e) => e.kind === 'deactivate' && /forecast of/.test(e.message))
        .length,
      relaysDeclaredDead: since().filter((e) => e.kind === 'dead' && e.message.startsWith('relay')).length,
      tabStallsDuring: stallsEnd.reduce((s, f, i) => s + f.stalls - (stallsAfterKill[i]?.stalls ?? 0), 0),
      nodeViewersWithGap: endGaps.filter((g) => g.missing.length > 0).length,
      nodeViewersWithDuplicate: endGaps.filter((g) => g.twice.length > 0).length,
      nodeViewersProgressed: staying.filter((v) => v.media().length >= (stayCounts.get(v.nodeId) ?? 0) + 3)
        .length,
      stayingViewers: staying.length,
    };
    say(`consolidation: ${JSON.stringify(consolidation)}`);
    const endStats = origin.stats().streams.live;
    const result = {
      loadAverage: `${loadAtStart} → ${load1()}`,
      tabs: TABS,
      nodeViewers: VIEWERS,
      relays: 3,
      relayMbps: RELAY_MBPS,
      forest: { maxTier, tiersBelowOrigin: maxTier, membersByTier: byTier, relayTiers },
      deadDuringRun: c.events
        .recent()
        .filter((e) => e.kind === 'dead')
        .map((e) => e.message),
      originCopies,
      originCopiesStartup,
      originCopiesEnd: endStats.oneCopyBytes === 0 ? 0 : endStats.segmentBytes / endStats.oneCopyBytes,
      tabErrors: stallsEnd.map((f) => f.error).filter(Boolean),
      tabP2pBytes: stallsEnd.map((f) => f.p2pBytes),
      reparent,
      consolidation,
      events: c.events.recent().map((e) => `${e.kind}: ${e.message}`),
      relaysLeft: relaysLeft.map((r) => r.name),
    };
    if (values.out) writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await Promise.all(viewers.map((v) => v.stop().catch(() => undefined)));
    await browser?.close();
    for (const r of relays) if (r.child.exitCode === null) r.child.kill('SIGKILL');
    await running.close();
    await origin.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
