/** What a `Range` request header asks of a body of known size. */
export type RangeRequest =
  /** No usable range: send the whole body with 200. */
  | { readonly kind: 'full' }
  /** Send bytes `start` … `end` (inclusive) with 206. */
  | { readonly kind: 'partial'; readonly start: number; readonly end: number }
  /** Answer 416 with `Content-Range: bytes *\/size`. */
  | { readonly kind: 'unsatisfiable' };

const FULL: RangeRequest = { kind: 'full' };
const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/;

/**
 * Interprets a `Range` header (RFC 9110 §14) for a body of `size` bytes. Only one byte range is
 * honoured; several ranges, other units and malformed values are ignored (a server may always
 * answer 200 with the whole body), as is a range on an empty body.
 */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return FULL;
  const match = SINGLE_RANGE.exec(header.trim());
  const [, from = '', to = ''] = match ?? [];
  if (!match || (from === '' && to === '')) return FULL;
  if (from === '') {
    const suffix = Number(to);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(from);
  const last = to === '' ? Infinity : Number(to);
  if (last < start) return FULL;
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: Math.min(last, size - 1) };
}
