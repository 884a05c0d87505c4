/**
 * The HTTP-only baseline: plain hls.js (the same build the player bundles) on a bare page, served
 * from 127.0.0.1 by the benchmark itself. It publishes `window.__baseline` with the same
 * definitions the player uses for `window.__p2pcdn`: startup = ms from navigation to the first
 * `playing` after `loadeddata`; stalls = `waiting` events after startup outside seeks; `timeline`
 * = the player's startup steps that plain hls.js has (script, playlist, init, segment, data,
 * frame). The listeners only note times: they do not change how hls.js loads.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const HLS_JS = readFileSync(require.resolve('hls.js/dist/hls.min.js'));

function page(src: string): string {
  return `<!doctype html><meta charset="utf-8"><title>hls.js baseline</title>
<video id="v" muted playsinline autoplay style="width:640px"></video>
<script src="/hls.min.js"></script>
<script>
  const v = document.getElementById('v');
  const figures = { startupMs: null, stalls: 0, playedSec: 0, httpBytes: 0, error: null, timeline: [] };
  window.__baseline = figures;
  const seen = new Set();
  const mark = (step, extra) => { if (!seen.has(step)) { seen.add(step); figures.timeline.push({ step, atMs: Math.round(performance.now()), ...extra }); } };
  mark('bundle-start');
  let loaded = false, last = null;
  v.addEventListener('loadeddata', () => { loaded = true; mark('loadeddata'); });
  v.addEventListener('playing', () => { if (figures.startupMs === null && loaded) { figures.startupMs = Math.round(performance.now()); mark('first-frame'); } });
  v.addEventListener('waiting', () => { if (figures.startupMs !== null && !v.seeking) figures.stalls++; });
  v.addEventListener('timeupdate', () => {
    if (last !== null && !v.seeking && !v.paused) { const d = v.currentTime - last; if (d > 0 && d < 1.5) figures.playedSec += d; }
    last = v.currentTime;
  });
  const hls = new Hls({ startFragPrefetch: true });
  hls.on(Hls.Events.FRAG_LOADED, (_e, data) => {
    figures.httpBytes += data.frag.stats.loaded;
    const l = data.frag.stats.loading;
    mark(data.frag.sn === 'initSegment' ? 'init-segment' : 'first-fragment', { source: 'http', tookMs: Math.round(l.end - l.start) });
  });
  hls.once(Hls.Events.MANIFEST_LOADED, () => mark('manifest-loaded'));
  hls.on(Hls.Events.ERROR, (_e, data) => { if (data.fatal) figures.error = data.type + ': ' + data.details; });
  hls.loadSource(${JSON.stringify(src)});
  hls.attachMedia(v);
  v.play().catch(() => {});
</script>`;
}

export interface BaselineServer {
  /** URL of a page playing `src` with plain hls.js. */
  pageUrl(src: string): string;
  close(): Promise<void>;
}

export async function startBaselineServer(): Promise<BaselineServer> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/hls.min.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(HLS_JS);
      return;
    }
    const src = url.searchParams.get('src');
    if (url.pathname === '/' && src) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page(src));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    pageUrl: (src) => `http://127.0.0.1:${port}/?src=${encodeURIComponent(src)}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
