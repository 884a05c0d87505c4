import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares a presented operator token with the real one in constant time. */
export function tokenMatches(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
