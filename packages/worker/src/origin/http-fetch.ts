import type { ByteRange, CancelToken } from '@p2pcdn/core';
import { WorkerError } from '../errors.ts';

export interface FetchBytesOptions {
  /** Deadline for the whole request, body included. */
  timeoutMs: number;
  /** Largest body accepted; larger ones fail with `too-large` without being read in full. */
  maxBytes: number;
  /** Only these bytes (`end` exclusive), via a `Range` header. */
  range?: ByteRange | undefined;
  cancel?: CancelToken | undefined;
  /** Redirects are followed only to URLs this accepts (e.g. the same origin). Default: none. */
  allowRedirect?: (url: URL) => boolean;
  /** Default 3. */
  maxRedirects?: number;
  /** Injected for tests; defaults to the global `fetch`. */
  fetch?: typeof fetch;
}

/**
 * GETs `url` with a deadline, a size cap and cancellation, following redirects only where
 * `allowRedirect` permits. Fails with a {@link WorkerError}: `http`, `too-large`, `timeout`,
 * `cancelled` or `forbidden` (a redirect elsewhere).
 */
export async function fetchBytes(url: string, options: FetchBytesOptions): Promise<Uint8Array> {
  const { range, cancel, maxRedirects = 3 } = options;
  const doFetch = options.fetch ?? fetch;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  if (cancel?.cancelled) controller.abort();
  cancel?.onCancel(() => controller.abort());
  try {
    let target = new URL(url);
    for (let redirects = 0; ; redirects++) {
      const headers: Record<string, string> = range ? { range: `bytes=${range.start}-${range.end - 1}` } : {};
      const res = await doFetch(target, { redirect: 'manual', signal: controller.signal, headers });
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel();
        const next = new URL(location, target);
        if (redirects >= maxRedirects || !(options.allowRedirect?.(next) ?? false)) {
          throw new WorkerError(
            'forbidden',
            `${target.href} redirects to ${next.href}, which is not allowed`,
          );
        }
        target = next;
        continue;
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new WorkerError('http', `GET ${target.href}: HTTP ${res.status}`);
      }
      if (range && res.status !== 206) {
        // The origin ignored the Range header: read up to the range's end and cut it out.
        if (range.end > options.maxBytes * 4) {
          await res.body?.cancel();
          throw new WorkerError('too-large', `${target.href} ignores Range and the range ends too far in`);
        }
        const head = await readBody(res, range.end, target.href, true);
        if (head.byteLength < range.end)
          throw new WorkerError('http', `${target.href} is shorter than its range`);
        return head.subarray(range.start, range.end);
      }
      return await readBody(res, options.maxBytes, target.href);
    }
  } catch (error) {
    if (error instanceof WorkerError) throw error;
    if (timedOut) throw new WorkerError('timeout', `GET ${url}: no answer within ${options.timeoutMs} ms`);
    if (controller.signal.aborted) throw new WorkerError('cancelled', `GET ${url} cancelled`);
    throw new WorkerError('http', `GET ${url}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads a body of at most `maxBytes`, checking `content-length` first; with `truncate`, a longer
 * body is cut at `maxBytes` instead (and the rest never downloaded).
 */
async function readBody(
  res: Response,
  maxBytes: number,
  href: string,
  truncate = false,
): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length'));
  if (!truncate && Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    throw new WorkerError('too-large', `${href} is ${declared} bytes, over the ${maxBytes}-byte limit`);
  }
  if (!res.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.byteLength > maxBytes) {
      await reader.cancel();
      if (!truncate) throw new WorkerError('too-large', `${href} exceeds the ${maxBytes}-byte limit`);
      chunks.push(value.subarray(0, maxBytes - total));
      total = maxBytes;
      break;
    }
    total += value.byteLength;
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** {@link fetchBytes} decoded as UTF-8 text (playlists). */
export async function fetchText(url: string, options: FetchBytesOptions): Promise<string> {
  return new TextDecoder().decode(await fetchBytes(url, options));
}
