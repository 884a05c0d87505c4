import { mkdir } from 'node:fs/promises';
import { ClassicLevel } from 'classic-level';
import createDebug from 'debug';
import { StreamInfoSchema } from '@p2pcdn/core';
import type { z } from 'zod';
import { MetaStore } from './meta-store.ts';
import { StreamStore } from './stream-store.ts';
import { TypedSublevel } from './typed-sublevel.ts';

const debug = createDebug('p2pcdn:signaling:db');

/**
 * Names of the database's sublevels. Each feature that keeps durable state gets one (push jobs
 * and the market ledger will add theirs here), so keys of different features never collide.
 */
export type SublevelName = 'meta' | 'streams';

/** Why the database could not be used. */
export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';

  constructor(
    readonly kind: 'locked' | 'open-failed',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The coordinator's embedded database (LevelDB through classic-level) under the data directory.
 * Values are JSON, validated with a zod schema on the way out, so a damaged or outdated record
 * is skipped with a log line instead of crashing the coordinator.
 */
export class CoordinatorDb {
  readonly meta: MetaStore;
  readonly streams: StreamStore;

  private constructor(private readonly level: ClassicLevel<string, unknown>) {
    this.meta = new MetaStore(this.sublevel('meta', MetaStore.schema));
    this.streams = new StreamStore(this.sublevel('streams', StreamInfoSchema));
  }

  /** Opens (creating if needed) the database in `dataDir/db`. Only one process may hold it. */
  static async open(dataDir: string): Promise<CoordinatorDb> {
    const location = `${dataDir}/db`;
    await mkdir(location, { recursive: true });
    const level = new ClassicLevel<string, unknown>(location, { valueEncoding: 'json' });
    try {
      await level.open();
    } catch (error) {
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      if (code === 'LEVEL_LOCKED') {
        throw new DatabaseError(
          'locked',
          `the database in ${location} is in use by another coordinator; stop it or pick another --data-dir`,
          { cause: error },
        );
      }
      throw new DatabaseError('open-failed', `could not open the database in ${location}`, { cause: error });
    }
    debug('opened %s', location);
    return new CoordinatorDb(level);
  }

  /** A typed view of one sublevel; `schema` validates every value read back. */
  sublevel<V>(name: SublevelName, schema: z.ZodType<V>): TypedSublevel<V> {
    const sub = this.level.sublevel<string, unknown>(name, { valueEncoding: 'json' });
    return new TypedSublevel(name, sub, schema);
  }

  async close(): Promise<void> {
    await this.level.close();
    debug('closed');
  }
}
