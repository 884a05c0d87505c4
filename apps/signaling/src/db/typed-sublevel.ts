import createDebug from 'debug';
import type { z } from 'zod';

const debug = createDebug('p2pcdn:signaling:db');

/** The part of a classic-level sublevel (JSON values) this wrapper uses. */
export interface SublevelLike {
  get(key: string): Promise<unknown>;
  put(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
  iterator(): AsyncIterable<[string, unknown]>;
}

/**
 * One sublevel with JSON values checked against a schema when read: a value that no longer
 * matches (damaged, or written by an incompatible version) is treated as absent and logged.
 */
export class TypedSublevel<V> {
  constructor(
    readonly name: string,
    private readonly sub: SublevelLike,
    private readonly schema: z.ZodType<V>,
  ) {}

  async get(key: string): Promise<V | undefined> {
    const raw = await this.sub.get(key);
    return raw === undefined ? undefined : this.check(key, raw);
  }

  async put(key: string, value: V): Promise<void> {
    await this.sub.put(key, value);
  }

  async del(key: string): Promise<void> {
    await this.sub.del(key);
  }

  /** Every valid entry, in key order. */
  async entries(): Promise<Array<[string, V]>> {
    const out: Array<[string, V]> = [];
    for await (const [key, raw] of this.sub.iterator()) {
      const value = this.check(key, raw);
      if (value !== undefined) out.push([key, value]);
    }
    return out;
  }

  private check(key: string, raw: unknown): V | undefined {
    const parsed = this.schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    debug('ignoring invalid %s/%s: %s', this.name, key, parsed.error.issues[0]?.message);
    return undefined;
  }
}
