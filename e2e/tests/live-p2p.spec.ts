/**
 * The walking skeleton end to end: two relay workers and three player tabs on the demo's live
 * stream, in real Chromium. Every tab must play at least 8 s without a stall while receiving
 * segments from peers, the origin must send less than half of what HTTP-only delivery would
 * have cost, and the admin dashboard must show every node.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { startStack, type RunningStack } from '../stack.ts';

interface Figures {
  nodeId: string | null;
  phase: string;
  stalls: number;
  p2pBytes: number;
  httpBytes: number;
  playedSec: number;
  startupMs: number | null;
  integrity: { state: string; verified: number; rejected: number };
  error?: string;
}

interface OriginStats {
  streams: Record<string, { segmentBytes: number; initBytes: number; playlistBytes: number }>;
}

const TABS = 3;
const PLAY_SECONDS = 8;

let stack: RunningStack;

test.beforeAll(async () => {
  stack = await startStack();
});

test.afterAll(async () => {
  await stack?.stop();
});

// Playwright reads fixtures from the first parameter, so it must be a (here empty) pattern.
// eslint-disable-next-line no-empty-pattern
test.afterEach(async ({}, testInfo) => {
  await testInfo.attach('stack output', { body: stack?.output() ?? '', contentType: 'text/plain' });
});

async function figures(page: Page): Promise<Figures> {
  const value = await page.evaluate(() => (window as unknown as { __p2pcdn?: unknown }).__p2pcdn ?? null);
  if (value === null) throw new Error('the player has not published window.__p2pcdn yet');
  return value as Figures;
}

test('three tabs play the live stream over P2P and the origin sends less than half', async ({
  browser,
}, testInfo) => {
  // One browser context per tab: separate HTTP caches, as separate viewers have.
  const contexts: BrowserContext[] = [];
  const pages: Page[] = [];
  for (let i = 0; i < TABS; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) =>
      testInfo.annotations.push({ type: `tab ${i} page error`, description: error.message }),
    );
    await page.goto(`${stack.url}/?stream=demo-live`);
    pages.push(page);
    // Stagger joins as real viewers do, so later tabs find earlier ones in the tree.
    await page.waitForTimeout(1500);
  }

  for (const [i, page] of pages.entries()) {
    await expect
      .poll(async () => (await figures(page)).playedSec, {
        message: `tab ${i} plays ${PLAY_SECONDS} s`,
        timeout: 90_000,
        intervals: [1000],
      })
      .toBeGreaterThanOrEqual(PLAY_SECONDS);
  }

  const all = await Promise.all(pages.map(figures));
  for (const [i, f] of all.entries()) {
    expect(f.error, `tab ${i} error`).toBeUndefined();
    expect(f.stalls, `tab ${i} stalls`).toBe(0);
    expect(f.p2pBytes, `tab ${i} received bytes from peers`).toBeGreaterThan(0);
    // demo-live is registered with the origin's publisher key: WebCrypto checks every peer segment.
    expect(f.integrity.state, `tab ${i} verifies`).toBe('verified');
    expect(f.integrity.rejected, `tab ${i} rejected segments`).toBe(0);
  }
  expect(all.reduce((sum, f) => sum + f.integrity.verified, 0)).toBeGreaterThan(0);

  // What the origin actually sent, against what HTTP-only delivery to these tabs would have cost.
  const stats = (await (await fetch(`${stack.originUrl}/stats`)).json()) as OriginStats;
  const live = stats.streams.live;
  if (!live) throw new Error('the origin reports no live counters');
  const originBytes = live.segmentBytes + live.initBytes;
  const httpOnlyBytes = all.reduce((sum, f) => sum + f.p2pBytes + f.httpBytes, 0);
  testInfo.annotations.push({
    type: 'origin',
    description: `origin sent ${originBytes} B; HTTP-only would have sent ${httpOnlyBytes} B (${(originBytes / httpOnlyBytes).toFixed(2)})`,
  });
  expect(originBytes).toBeLessThan(httpOnlyBytes / 2);

  for (const [i, page] of pages.entries()) {
    await page.screenshot({ path: testInfo.outputPath(`player-tab-${i + 1}.png`), fullPage: true });
    await testInfo.attach(`player tab ${i + 1}`, { path: testInfo.outputPath(`player-tab-${i + 1}.png`) });
  }

  // The admin dashboard shows every node: the fleet lists the three tabs and both relays; the
  // forest draws every member of the stream's tree (the tiered planner activates a relay only when
  // the viewers need it, so an idle relay is in the fleet but in no tree).
  const adminContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(adminContext);
  const admin = await adminContext.newPage();
  await admin.goto(`${stack.url}/admin/#token=${stack.token}`);
  const topology = (await (await fetch(`${stack.url}/api/streams/demo-live/topology`)).json()) as {
    nodes: Array<{ id: string; role: string }>;
  };
  const inTree = [
    ...all.map((f) => f.nodeId),
    ...topology.nodes.filter((n) => n.role === 'relay').map((n) => n.id),
  ];
  expect(inTree.filter((id) => id !== null).length).toBeGreaterThanOrEqual(TABS + 1);
  const connectedRelays = [...stack.output().matchAll(/relay (\S+) registered with/g)].map((m) => m[1]);
  expect(new Set(connectedRelays).size).toBeGreaterThanOrEqual(2);
  for (const id of new Set([...inTree, ...connectedRelays])) {
    await expect(admin.getByTestId(`fleet-row-${id}`)).toBeVisible({ timeout: 15_000 });
  }
  for (const id of inTree) {
    await expect(admin.getByTestId(`graph-node-${id}`)).toBeAttached({ timeout: 15_000 });
  }
  await admin.screenshot({ path: testInfo.outputPath('admin.png'), fullPage: true });
  await testInfo.attach('admin', { path: testInfo.outputPath('admin.png') });
  await Promise.all(contexts.map((c) => c.close()));
});
