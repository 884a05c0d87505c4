/**
 * Striped parallel pulls in real Chromium (issue 4): the coordinator cuts the live demo stream
 * into two stripes, so each tab has two parents and pulls every segment's blocks from both at
 * once. A relay SIGKILLed while blocks are in flight must stall no tab and lose no segment; a
 * relay corrupting every block it sends must have each bad block rejected before hls.js sees it,
 * be reported, and leave MediaSource with exactly the publisher's bytes.
 */
import { expect, test, type Browser, type BrowserContext, type Page, type TestInfo } from '@playwright/test';
import { appendFileSync, writeFileSync } from 'node:fs';
import type { SignedManifest } from '../../packages/core/src/index.ts';
import { appends, channels, installProbes, type AppendRecord } from '../page-probes.ts';
import { LIVE_STREAM, startStripedStack, type StripedStack } from '../striped-stack.ts';

interface StripeSource {
  peerId: string;
  letter: string;
  share: number;
  bytesPerSecond: number;
  outOfSequence: number;
}

interface Figures {
  nodeId: string | null;
  phase: string;
  stalls: number;
  p2pBytes: number;
  httpBytes: number;
  playedSec: number;
  parents: string[];
  stripe: { streamId: string; pattern: string; epoch: number; sources: StripeSource[] } | null;
  integrity: {
    state: string;
    verified: number;
    rejected: number;
    bySource: Array<{ peerId: string; rejected: number }>;
  };
  stallLog: unknown[];
  peers?: unknown;
  error?: string;
}

let stack: StripedStack | undefined;
const contexts: BrowserContext[] = [];

// Playwright reads fixtures from the first parameter, so it must be a (here empty) pattern.
// eslint-disable-next-line no-empty-pattern
test.afterEach(async ({}, testInfo) => {
  for (const r of stack?.relays ?? []) {
    await testInfo.attach(`relay ${r.name} output`, { body: r.output(), contentType: 'text/plain' });
    writeFileSync(testInfo.outputPath(`relay-${r.name}.txt`), r.output());
  }
  if (stack) {
    const events = stack.running.coordinator.events.recent().map((e) => `${e.kind}: ${e.message}`);
    await testInfo.attach('coordinator events', { body: events.join('\n'), contentType: 'text/plain' });
    writeFileSync(testInfo.outputPath('coordinator-events.txt'), events.join('\n'));
  }
  await Promise.all(contexts.splice(0).map((c) => c.close()));
  await stack?.stop();
  stack = undefined;
});

async function figures(page: Page): Promise<Figures> {
  const value = await page.evaluate(() => (window as unknown as { __p2pcdn?: unknown }).__p2pcdn ?? null);
  if (value === null) throw new Error('the player has not published window.__p2pcdn yet');
  return value as Figures;
}

/** Sources of the tab's striped pull that have a share of the pattern. */
function activeSources(f: Figures): StripeSource[] {
  return (f.stripe?.sources ?? []).filter((s) => s.share > 0);
}

async function openTabs(browser: Browser, count: number, testInfo: TestInfo): Promise<Page[]> {
  const pages: Page[] = [];
  for (let i = 0; i < count; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) =>
      testInfo.annotations.push({ type: `tab ${i + 1} page error`, description: error.message }),
    );
    await installProbes(page);
    // E2E_TAB_DEBUG=p2pcdn:* turns on the tab's debug loggers; they go to tab-N.log in the test's output.
    const debug = process.env.E2E_TAB_DEBUG;
    if (debug) {
      await page.addInitScript((namespaces) => localStorage.setItem('debug', namespaces), debug);
      const log = testInfo.outputPath(`tab-${i + 1}.log`);
      page.on('console', (m) => appendFileSync(log, `${new Date().toISOString()} ${m.text()}\n`));
    }
    await page.goto(`${stack?.running.url}/?stream=${LIVE_STREAM}`);
    pages.push(page);
    // Stagger joins as real viewers do.
    await page.waitForTimeout(1000);
  }
  return pages;
}

/** Waits until every tab plays and pulls striped from at least two sources over P2P. */
async function untilStriped(pages: readonly Page[]): Promise<void> {
  for (const [i, page] of pages.entries()) {
    let last: Figures | undefined;
    const ok = (f: Figures): boolean => f.playedSec >= 4 && f.p2pBytes > 0 && activeSources(f).length >= 2;
    const deadline = Date.now() + 90_000;
    while (!(last && ok(last))) {
      if (Date.now() > deadline) {
        const { stripe, parents, p2pBytes, httpBytes, playedSec, peers } =
          last ?? ({} as Figures & { peers?: unknown });
        throw new Error(
          `tab ${i + 1} does not play striped from ≥ 2 sources: ` +
            JSON.stringify({ playedSec, p2pBytes, httpBytes, parents, stripe, peers }),
        );
      }
      await page.waitForTimeout(500);
      last = await figures(page);
    }
  }
}

/**
 * Collects the publisher's SHA-256 of every live segment (and the init segment) from the signed
 * manifest, polled often enough that no segment slides out unseen (the origin serves a window of
 * 6 segments of 2 s plus 7 behind it). The signature itself is the player's business: here the
 * origin is trusted, and the hashes are what appended bytes must match. A segment published in
 * the last poll interval may already be appended, so a check reads the manifest once more after
 * the appends (`read`), and that reading must succeed.
 */
function collectManifests(manifestUrl: string): {
  bySha: Map<string, string>;
  read: () => Promise<void>;
  stop: () => Promise<void>;
} {
  const bySha = new Map<string, string>();
  const read = async (): Promise<void> => {
    const res = await fetch(manifestUrl, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`${manifestUrl}: HTTP ${res.status}`);
    const signed = (await res.json()) as SignedManifest;
    const manifest = JSON.parse(signed.payload) as {
      entries: Array<{ key: string; sha256: string; sequence?: number }>;
    };
    for (const e of manifest.entries)
      bySha.set(e.sha256, e.sequence === undefined ? e.key : String(e.sequence));
  };
  let running = true;
  const loop = (async () => {
    while (running) {
      // A missed round is made up by the next one, and by the reading after the appends.
      await read().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 1500));
    }
  })();
  return {
    bySha,
    read,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/**
 * Checks what hls.js appended against the publisher's hashes: every append is the init segment
 * or a whole media segment the manifest lists (0 mismatches), and the media segments appended are
 * consecutive (none lost, none twice). Returns their sequence numbers.
 */
function checkAppends(tab: string, records: readonly AppendRecord[], bySha: Map<string, string>): number[] {
  const unknown = records.filter((r) => !bySha.has(r.sha256 ?? ''));
  expect(
    unknown.map((r) => `${r.box} ${r.bytes} B at ${Math.round(r.atMs)} ms: ${r.sha256}`),
    `${tab}: appends not in the signed manifests read (sequences ${knownRange(bySha)}): bad bytes reached MediaSource`,
  ).toEqual([]);
  const media = records.filter((r) => r.box !== 'ftyp' && r.box !== 'moov');
  const sequences = media.map((r) => Number(bySha.get(r.sha256 ?? '')));
  expect(sequences.length, `${tab}: media segments appended`).toBeGreaterThan(0);
  const gaps = sequences.slice(1).filter((s, i) => s !== (sequences[i] ?? 0) + 1);
  expect(gaps, `${tab}: appended sequence ${sequences.join(',')} is not consecutive`).toEqual([]);
  return sequences;
}

/** The live sequence numbers the manifests read listed, as `first–last`. */
function knownRange(bySha: Map<string, string>): string {
  const sequences = [...bySha.values()].map(Number).filter(Number.isInteger);
  return sequences.length === 0 ? 'none' : `${Math.min(...sequences)}–${Math.max(...sequences)}`;
}

async function screenshots(pages: readonly Page[], testInfo: TestInfo, name: string): Promise<void> {
  for (const [i, page] of pages.entries()) {
    const file = testInfo.outputPath(`${name}-tab-${i + 1}.png`);
    await page.screenshot({ path: file, fullPage: true });
    await testInfo.attach(`${name} tab ${i + 1}`, { path: file });
  }
}

test('a relay SIGKILLed while blocks are in flight: no tab stalls, every segment still arrives, over P2P', async ({
  browser,
}, testInfo) => {
  test.setTimeout(150_000);
  // Upload caps low enough that each relay spends much of every 2 s segment sending its stripes,
  // so there is a wide window in which a kill cuts a segment in half.
  stack = await startStripedStack({
    stripes: 2,
    relays: [
      { name: 'relay-1', uploadMbps: 3 },
      { name: 'relay-2', uploadMbps: 3 },
      { name: 'relay-3', uploadMbps: 3 },
    ],
  });
  const { origin, relays } = stack;
  const manifests = collectManifests(origin.manifests.live);
  try {
    const pages = await openTabs(browser, 2, testInfo);
    await untilStriped(pages);

    // The victim: the relay that is a source (with a share) of the most tabs.
    const before = await Promise.all(pages.map(figures));
    const sourceCount = (id: string): number =>
      before.filter((f) => activeSources(f).some((s) => s.peerId === id)).length;
    const victim = [...relays].sort((a, b) => sourceCount(b.id) - sourceCount(a.id))[0];
    if (!victim || sourceCount(victim.id) === 0) {
      throw new Error(
        `no relay is a stripe source of any tab: ${JSON.stringify(before.map((f) => f.stripe))}`,
      );
    }
    const fed = pages.filter((_, i) =>
      activeSources(before[i] as Figures).some((s) => s.peerId === victim.id),
    );
    const watched = fed[0] as Page;

    // Kill mid-segment: the moment blocks are arriving at a tab the victim feeds (binary
    // DataChannel messages within the last 30 ms), while its figures show the victim delivering.
    await expect
      .poll(
        async () => {
          const f = await figures(watched);
          return activeSources(f).some((s) => s.peerId === victim.id && s.bytesPerSecond > 0);
        },
        { message: `${victim.name} delivering to a tab`, timeout: 30_000, intervals: [200] },
      )
      .toBe(true);
    const inFlight = await watched.waitForFunction(
      () => {
        const c = (window as unknown as { __channels: { lastAtMs: number; bytes: number } }).__channels;
        const sinceMs = performance.now() - c.lastAtMs;
        return c.lastAtMs > 0 && sinceMs < 30 && { sinceMs, bytes: c.bytes };
      },
      undefined,
      { polling: 5, timeout: 30_000 },
    );
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    const seen = (await inFlight.jsonValue()) as { sinceMs: number; bytes: number };
    const atKill = await Promise.all(pages.map(figures));
    const channelsAfter = await channels(watched);
    const originAtKill = origin.stats().streams.live;
    const appendsAtKill = await Promise.all(pages.map(async (p) => (await appends(p)).length));
    testInfo.annotations.push({
      type: 'kill',
      description:
        `SIGKILL ${victim.name} (${victim.id}), a source of ${fed.length} tab(s), ${Math.round(seen.sinceMs)} ms ` +
        `after a block reached the watched tab; ${channelsAfter.bytes - seen.bytes} B of blocks arrived there ` +
        `between the kill and reading the figures`,
    });

    // Every tab keeps playing for 8 s of media after the kill, from peers, without a stall.
    for (const [i, page] of pages.entries()) {
      const start = atKill[i] as Figures;
      await expect
        .poll(async () => (await figures(page)).playedSec - start.playedSec, {
          message: `tab ${i + 1} plays 8 s after the kill`,
          timeout: 60_000,
          intervals: [1000],
        })
        .toBeGreaterThanOrEqual(8);
    }
    // The victim is gone from the coordinator and from every tab's pattern by now.
    expect(stack.running.coordinator.nodes.has(victim.id), 'the dead relay removed').toBe(false);
    const after = await Promise.all(pages.map(figures));
    for (const [i, f] of after.entries()) {
      const start = atKill[i] as Figures;
      const tab = `tab ${i + 1}`;
      expect(f.error, `${tab} error`).toBeUndefined();
      expect(f.stalls, `${tab} stalls (stall log: ${JSON.stringify(f.stallLog)})`).toBe(start.stalls);
      expect(f.stalls, `${tab} stalls overall`).toBe(0);
      expect(
        activeSources(f).map((s) => s.peerId),
        `${tab} still pulls from the dead relay`,
      ).not.toContain(victim.id);
      // No collapse to HTTP: most of what arrived after the kill came from peers. (A tab may fetch
      // a segment from the origin when it is about to starve; that is the product's fallback, but
      // it must stay the exception.)
      const p2p = f.p2pBytes - start.p2pBytes;
      const http = f.httpBytes - start.httpBytes;
      testInfo.annotations.push({
        type: `${tab} stripe after the kill`,
        description: `pattern ${f.stripe?.pattern ?? '-'}: ${activeSources(f)
          .map((s) => `${s.letter} ${s.peerId} ${(s.share * 100).toFixed(0)} %`)
          .join(', ')}; parents ${f.parents.join(', ')}`,
      });
      testInfo.annotations.push({
        type: `${tab} after the kill`,
        description: `${p2p} B from peers, ${http} B over HTTP`,
      });
      expect(p2p, `${tab} bytes from peers after the kill`).toBeGreaterThan(0);
      expect(p2p / (p2p + http), `${tab} P2P share after the kill`).toBeGreaterThanOrEqual(0.75);
    }
    // Every segment still arrives: MediaSource got the publisher's bytes for consecutive segments,
    // at least 3 more of them since the kill.
    const appended = await Promise.all(pages.map(appends));
    await manifests.read();
    for (const [i, records] of appended.entries()) {
      expect(
        records.length - (appendsAtKill[i] ?? 0),
        `tab ${i + 1} segments appended after the kill`,
      ).toBeGreaterThanOrEqual(3);
      checkAppends(`tab ${i + 1}`, records, manifests.bySha);
    }
    // The origin since the kill, in copies of each segment anyone fetched: the heads of the two
    // stripes and a relay replacing the dead one may fetch from it; if the tabs fell back to
    // HTTP it would approach one copy per tab and per relay. Fewer than that is what we ask.
    const o = origin.stats().streams.live;
    const copies =
      (o.segmentBytes - originAtKill.segmentBytes) / Math.max(1, o.oneCopyBytes - originAtKill.oneCopyBytes);
    testInfo.annotations.push({
      type: 'origin after the kill',
      description: `${o.segmentBytes - originAtKill.segmentBytes} B of segments in ${Math.round((Date.now() - killedAt) / 1000)} s: ${copies.toFixed(2)} copies`,
    });
    expect(copies, 'origin copies per segment since the kill').toBeLessThan(pages.length + relays.length - 1);
    await expect(watched.getByTestId('stripe-panel')).toBeVisible();
    await screenshots(pages, testInfo, 'relay-loss');
  } finally {
    await manifests.stop();
  }
});

test('a relay corrupting every block: each bad block rejected, the relay reported, MediaSource gets only the publisher’s bytes', async ({
  browser,
}, testInfo) => {
  test.setTimeout(150_000);
  stack = await startStripedStack({
    stripes: 2,
    relays: [
      { name: 'relay-good', uploadMbps: 8 },
      { name: 'relay-poison', uploadMbps: 8, poison: 1 },
    ],
  });
  const { origin, relays, running } = stack;
  const poison = relays.find((r) => r.name === 'relay-poison');
  if (!poison) throw new Error('no poisoned relay');
  const manifests = collectManifests(origin.manifests.live);
  try {
    const pages = await openTabs(browser, 3, testInfo);
    // Every tab plays; the poisoned relay is a parent of some, and they reject what it sends.
    for (const [i, page] of pages.entries()) {
      await expect
        .poll(async () => (await figures(page)).playedSec, {
          message: `tab ${i + 1} plays`,
          timeout: 90_000,
          intervals: [1000],
        })
        .toBeGreaterThanOrEqual(4);
    }
    await expect
      .poll(
        async () => {
          const all = await Promise.all(pages.map(figures));
          return all.filter((f) => f.integrity.rejected > 0).length;
        },
        { message: 'tabs that rejected bad data', timeout: 60_000, intervals: [1000] },
      )
      .toBeGreaterThanOrEqual(1);
    // The coordinator heard of it. It evicts only after repeat offences reported by several
    // nodes (score 3 from ≥ 2 reporters by default); each reporter is moved off the relay at
    // once, so with three tabs whether it gets that far depends on how many pulled from it.
    const misbehaviour = () => running.coordinator.events.recent().filter((e) => e.kind === 'misbehaviour');
    await expect
      .poll(() => misbehaviour().some((e) => e.nodeId === poison.id), {
        message: 'the poisoned relay reported',
        timeout: 30_000,
      })
      .toBe(true);

    // Playback goes on: 8 more seconds in every tab, no stall.
    const mid = await Promise.all(pages.map(figures));
    for (const [i, page] of pages.entries()) {
      await expect
        .poll(async () => (await figures(page)).playedSec - (mid[i] as Figures).playedSec, {
          message: `tab ${i + 1} plays on`,
          timeout: 60_000,
          intervals: [1000],
        })
        .toBeGreaterThanOrEqual(8);
    }
    const all = await Promise.all(pages.map(figures));
    for (const [i, f] of all.entries()) {
      const tab = `tab ${i + 1}`;
      expect(f.error, `${tab} error`).toBeUndefined();
      expect(f.stalls, `${tab} stalls (stall log: ${JSON.stringify(f.stallLog)})`).toBe(0);
      expect(f.integrity.state, `${tab} verifies`).toBe('verified');
      // Only the poisoned relay is ever blamed: no honest node (a tab or relay that forwarded
      // what it got) passed a bad byte on to a child.
      expect(
        f.integrity.bySource.map((r) => r.peerId).filter((id) => id !== poison.id),
        `${tab} blames someone else`,
      ).toEqual([]);
      expect(
        activeSources(f).map((s) => s.peerId),
        `${tab} still pulls from the poisoned relay`,
      ).not.toContain(poison.id);
      testInfo.annotations.push({
        type: `${tab} integrity`,
        description: `${f.integrity.verified} verified, ${f.integrity.rejected} rejected (${JSON.stringify(f.integrity.bySource)}); ${f.p2pBytes} B from peers, ${f.httpBytes} B over HTTP`,
      });
    }
    // Nobody but the poisoned relay was ever reported: no tab or relay passed a bad byte on.
    const reports = misbehaviour().map((e) => e.message);
    expect(
      misbehaviour()
        .filter((e) => e.nodeId !== poison.id)
        .map((e) => e.message),
      'reports of other nodes',
    ).toEqual([]);
    const evicted = misbehaviour().some((e) => e.nodeId === poison.id && /EVICTED/.test(e.message));
    expect(running.coordinator.nodes.has(poison.id), 'an evicted relay is disconnected').toBe(!evicted);
    testInfo.annotations.push({
      type: 'coordinator',
      description: `${evicted ? 'evicted' : 'not evicted'}: ${reports.join(' | ')}`,
    });
    // (The stripe panel shows only on tabs still pulling from two sources: not asserted here.)
    // No bad byte reached MediaSource: every media append is a segment the publisher signed.
    const appended = await Promise.all(pages.map(appends));
    await manifests.read();
    for (const [i, records] of appended.entries()) checkAppends(`tab ${i + 1}`, records, manifests.bySha);
    await screenshots(pages, testInfo, 'poison');
  } finally {
    await manifests.stop();
  }
});
