/**
 * Screenshots of the dashboard on the dev fixture feed, for a person to look at:
 *   node --import tsx apps/admin/scripts/fixture-screenshots.ts [--out DIR] [--port N]
 * Starts vite (dev mode, so `?fixture` works), opens each fixture in Debian's Chromium with the
 * e2e flags, saves full-page PNGs, and stops everything.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright';
import { createServer } from 'vite';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../e2e/chromium.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: { out: { type: 'string', default: 'screenshots' }, port: { type: 'string', default: '5179' } },
});
const out = path.resolve(values.out);
mkdirSync(out, { recursive: true });

const server = await createServer({
  root: path.resolve(here, '..'),
  configFile: path.resolve(here, '../vite.config.ts'),
  server: { port: Number(values.port), strictPort: true, host: '127.0.0.1' },
  logLevel: 'warn',
});
await server.listen();
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
try {
  const shots: { name: string; query: string; stream?: string; width?: number; select?: string }[] = [
    { name: 'tiered-all', query: 'fixture' },
    { name: 'tiered-live', query: 'fixture', stream: 'demo-live' },
    // A viewer with a slow source, picked in the forest: the Sources section shows its pull.
    { name: 'tiered-sources', query: 'fixture', stream: 'demo-live', select: 'v-live-0004' },
    { name: 'skeleton', query: 'fixture=skeleton' },
    { name: 'big-all', query: 'fixture=big' },
  ];
  for (const shot of shots) {
    const page = await browser.newPage({ viewport: { width: shot.width ?? 1440, height: 1000 } });
    const started = Date.now();
    await page.goto(`http://127.0.0.1:${values.port}/admin/?${shot.query}`, { timeout: 180_000 });
    await page.getByTestId('topology-graph').waitFor({ timeout: 60_000 });
    if (shot.stream) await page.getByTestId(`graph-stream-${shot.stream}`).click();
    if (shot.select) await page.getByTestId(`graph-node-${shot.select}`).click();
    // Let the feed tick a few times (charts need several points).
    await page.waitForTimeout(3500);
    const file = path.join(out, `${shot.name}.png`);
    await page.screenshot({ path: file, fullPage: true, timeout: 120_000 });
    process.stdout.write(`${file} (${Date.now() - started} ms)\n`);
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
