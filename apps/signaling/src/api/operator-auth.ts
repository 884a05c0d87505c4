import type { Context, MiddlewareHandler } from 'hono';
import { tokenMatches } from '../auth.ts';
import { errorResponse } from './http-errors.ts';

function unauthorized(c: Context, message: string): Response {
  const res = errorResponse(c, 'unauthorized', message);
  res.headers.set('WWW-Authenticate', 'Bearer realm="p2pcdn"');
  return res;
}

/** Requires `Authorization: Bearer <operator token>`; answers 401 with a sentence otherwise. */
export function requireOperator(token: string): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (!header) {
      return unauthorized(c, 'This needs the operator token: send "Authorization: Bearer <token>".');
    }
    const match = /^Bearer[ \t]+(\S{1,512})[ \t]*$/i.exec(header);
    if (!match?.[1] || !tokenMatches(match[1], token)) {
      return unauthorized(c, 'The operator token was not accepted.');
    }
    await next();
  };
}
