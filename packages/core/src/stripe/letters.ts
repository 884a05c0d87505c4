import { StripeError } from './errors.ts';
import { MAX_PATTERN_LENGTH } from './pattern.ts';
import type { Pattern, SourceId } from './types.ts';

/** Letters that spell sources in a pattern string, in the order they are handed out. */
export const PATTERN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Letters for `sources`: a source keeps the letter it had in `previous` (so a pattern reads the
 * same across rebalances), new sources get the first free letters in id order.
 */
export function assignLetters(
  sources: Iterable<SourceId>,
  previous: ReadonlyMap<SourceId, string> = new Map(),
): Map<SourceId, string> {
  const letters = new Map<SourceId, string>();
  const used = new Set<string>();
  const fresh: SourceId[] = [];
  for (const source of new Set(sources)) {
    const letter = previous.get(source);
    if (letter !== undefined && !used.has(letter)) {
      letters.set(source, letter);
      used.add(letter);
    } else {
      fresh.push(source);
    }
  }
  const free = [...PATTERN_ALPHABET].filter((l) => !used.has(l));
  for (const source of fresh.sort()) {
    const letter = free.shift();
    if (letter === undefined) {
      throw new StripeError('invalid-argument', `more than ${PATTERN_ALPHABET.length} sources`);
    }
    letters.set(source, letter);
  }
  return letters;
}

/** Spells a pattern as its wire string, e.g. `AABCC`. */
export function encodePattern(pattern: Pattern, letters: ReadonlyMap<SourceId, string>): string {
  return pattern
    .map((source) => {
      const letter = letters.get(source);
      if (letter === undefined) throw new StripeError('invalid-argument', `no letter for source ${source}`);
      return letter;
    })
    .join('');
}

/**
 * Reads a wire pattern string back into sources. Without `sources` every letter stands for
 * itself, which is all a sending source needs: it compares slots with its own letter.
 */
export function decodePattern(text: string, sources?: ReadonlyMap<string, SourceId>): Pattern {
  if (text.length === 0 || text.length > MAX_PATTERN_LENGTH) {
    throw new StripeError('invalid-argument', `pattern must have 1 to ${MAX_PATTERN_LENGTH} letters`);
  }
  return [...text].map((letter) => {
    if (!PATTERN_ALPHABET.includes(letter)) {
      throw new StripeError('invalid-argument', `"${letter}" is not a pattern letter`);
    }
    if (!sources) return letter;
    const source = sources.get(letter);
    if (source === undefined) throw new StripeError('invalid-argument', `no source for letter ${letter}`);
    return source;
  });
}
