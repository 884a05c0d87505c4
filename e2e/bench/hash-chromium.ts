/**
 * SHA-256 throughput of WebCrypto in real Chromium (what a player tab spends verifying segments
 * from peers): whole 2 MiB segments and 16 KiB striping blocks, each for `--seconds` after a
 * warm-up. Run: `node --import tsx e2e/bench/hash-chromium.ts [--seconds 2]`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.ts';

const secondsFlag = process.argv.indexOf('--seconds');
const SECONDS = secondsFlag > 0 ? Number(process.argv[secondsFlag + 1]) : 2;

// WebCrypto needs a secure context: a page served from loopback is one, a data: URL is not.
const server = createServer((_req, res) => res.end('<title>hash</title>'));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  for (const bytes of [2 * 1024 * 1024, 16 * 1024]) {
    const mbPerSecond = await page.evaluate(
      async ({ bytes, seconds }) => {
        const data = new Uint8Array(bytes);
        crypto.getRandomValues(data.subarray(0, Math.min(bytes, 65536)));
        const warmUntil = performance.now() + 300;
        while (performance.now() < warmUntil) await crypto.subtle.digest('SHA-256', data);
        let done = 0;
        const start = performance.now();
        while (performance.now() - start < seconds * 1000) {
          await crypto.subtle.digest('SHA-256', data);
          done += bytes;
        }
        return done / 1e6 / ((performance.now() - start) / 1000);
      },
      { bytes, seconds: SECONDS },
    );
    console.log(
      `Chromium WebCrypto sha256, ${bytes >= 1024 * 1024 ? '2 MiB segments' : '16 KiB blocks'} (MB/s): ${mbPerSecond.toFixed(0)} per wall second`,
    );
  }
} finally {
  await browser.close();
  server.close();
}
