import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Context, Handler } from 'hono';
import { getMimeType } from 'hono/utils/mime';

/** Where a single-page app's build is and where it is served. */
export interface SpaOptions {
  /** Directory holding the build (`dist`). */
  root: string;
  /** URL prefix the app is served under, ending in `/`. */
  mount: string;
  /** Shown when the build is missing, e.g. `player`. */
  name: string;
  /** The npm workspace that builds it, e.g. `apps/player`. */
  workspace: string;
}

async function fileAt(file: string): Promise<string | undefined> {
  try {
    return (await stat(file)).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

function notBuilt(c: Context, options: SpaOptions): Response {
  const html = `<!doctype html><html lang="en"><meta charset="utf-8"><title>p2pcdn: ${options.name} not built</title>
<body style="font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem">
<h1>The ${options.name} has not been built yet</h1>
<p>The coordinator is running, but <code>${options.workspace}/dist</code> does not exist.</p>
<p>Build it with <code>npm run build -w ${options.workspace}</code>, or start everything with
<code>npm start</code>, which builds what is missing.</p></body></html>`;
  return c.html(html, 503);
}

/**
 * Serves a built single-page app: files under `root` by path (never outside it), and
 * `index.html` for any other path without a file extension (client-side routes). Hashed assets
 * are cached for long; `index.html` is always revalidated.
 */
export function spaHandler(options: SpaOptions): Handler {
  const root = path.resolve(options.root);
  return async (c) => {
    let relative: string;
    try {
      relative = decodeURIComponent(c.req.path.slice(options.mount.length));
    } catch {
      return c.text('bad path', 400);
    }
    if (relative.includes('\0')) return c.text('bad path', 400);
    const target = path.resolve(root, `.${path.posix.sep}${relative}`);
    if (target !== root && !target.startsWith(root + path.sep)) return c.text('not found', 404);
    let file = relative !== '' ? await fileAt(target) : undefined;
    let index = false;
    if (!file) {
      if (path.extname(relative) !== '') return c.text('not found', 404);
      file = await fileAt(path.join(root, 'index.html'));
      index = true;
      if (!file) return notBuilt(c, options);
    }
    const body = await readFile(file);
    c.header('Content-Type', getMimeType(file) ?? 'application/octet-stream');
    c.header('X-Content-Type-Options', 'nosniff');
    const hashed = !index && /[.-][A-Za-z0-9_-]{8,}\.(?:js|css|woff2?|svg|png|wasm)$/.test(file);
    c.header('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    return c.body(new Uint8Array(body), 200);
  };
}
