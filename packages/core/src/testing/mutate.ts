import type { Validated } from '../protocol/validate.ts';

/** A path into plain JSON data: object keys and array indices. */
export type JsonPath = readonly (string | number)[];

/** Deep copy of plain JSON data (what crosses a socket or DataChannel). */
export function cloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A copy of `value` with the field at `path` set to `replacement` (created if missing). */
export function withField(value: unknown, path: JsonPath, replacement: unknown): unknown {
  return edit(value, path, (parent, key) => {
    parent[key] = replacement;
  });
}

/** A copy of `value` without the field at `path`. */
export function withoutField(value: unknown, path: JsonPath): unknown {
  return edit(value, path, (parent, key) => {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  });
}

function edit(
  value: unknown,
  path: JsonPath,
  apply: (parent: Record<string | number, unknown>, key: string | number) => void,
): unknown {
  if (path.length === 0) throw new RangeError('an empty path names the value itself');
  const copy = cloneJson(value);
  let cursor: unknown = copy;
  for (const step of path.slice(0, -1)) {
    if (typeof cursor !== 'object' || cursor === null)
      throw new RangeError(`no container at ${path.join('.')}`);
    cursor = (cursor as Record<string | number, unknown>)[step];
  }
  if (typeof cursor !== 'object' || cursor === null)
    throw new RangeError(`no container at ${path.join('.')}`);
  const last = path[path.length - 1];
  if (last === undefined) throw new RangeError('empty path');
  apply(cursor as Record<string | number, unknown>, last);
  return copy;
}

/** A validation outcome as one line: `accepted`, or `<code>: <message>`. */
export function refusal(result: Validated<unknown>): string {
  return result.ok ? 'accepted' : `${result.error.code}: ${result.error.message}`;
}

/** Matches a `bad-request` {@link refusal} whose message names the field at dotted `path`. */
export function namesField(path: string): RegExp {
  return new RegExp(`^bad-request: (.*; )?${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `);
}
