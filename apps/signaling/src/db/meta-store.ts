import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { TypedSublevel } from './typed-sublevel.ts';

const OPERATOR_TOKEN = 'operator-token';

/** Small coordinator-wide settings (the operator token so far). */
export class MetaStore {
  static readonly schema = z.string().min(1).max(4096);

  constructor(private readonly sub: TypedSublevel<string>) {}

  /** The stored operator token, generated (32 random bytes, base64url) and kept on first use. */
  async operatorToken(): Promise<string> {
    const stored = await this.sub.get(OPERATOR_TOKEN);
    if (stored !== undefined) return stored;
    const token = randomBytes(32).toString('base64url');
    await this.sub.put(OPERATOR_TOKEN, token);
    return token;
  }
}
