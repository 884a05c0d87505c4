import { Hono } from 'hono';
import { cors } from 'hono/cors';
import type { Coordinator } from '../coordinator/coordinator.ts';
import { errorLog } from '../log.ts';
import type { OriginBytes } from '../coordinator/snapshot.ts';
import type { StreamRegistrar } from '../streams/registrar.ts';
import { errorResponse, knownErrorResponse } from './http-errors.ts';
import { spaHandler } from './static-files.ts';
import { streamsApi } from './streams-routes.ts';

/** What the HTTP app needs. */
export interface AppDeps {
  coordinator: Coordinator;
  registrar: StreamRegistrar;
  token: string;
  originBytes: OriginBytes;
  playerDist: string;
  adminDist: string;
}

/**
 * The HTTP side of the coordinator: the JSON API under `/api` (errors as
 * `{error: {code, message}}`), the admin SPA under `/admin/` and the player at `/`.
 */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const startedAt = deps.coordinator.clock.now();

  // The API carries no cookies (the operator token travels in a header), so any origin may call it.
  app.use('/api/*', cors({ origin: '*', allowHeaders: ['Authorization', 'Content-Type'] }));
  app.get('/api/health', (c) =>
    c.json({
      ok: true,
      uptimeSec: Math.round((deps.coordinator.clock.now() - startedAt) / 1000),
      nodes: deps.coordinator.nodes.size,
      streams: deps.coordinator.streams.all().length,
    }),
  );
  app.route('/api', streamsApi(deps));
  app.all('/api/*', (c) =>
    errorResponse(c, 'bad-request', `no API endpoint ${c.req.method} ${c.req.path}`, 404),
  );

  app.get('/admin', (c) => c.redirect('/admin/', 301));
  app.get(
    '/admin/*',
    spaHandler({ root: deps.adminDist, mount: '/admin/', name: 'admin dashboard', workspace: 'apps/admin' }),
  );
  app.get('/*', spaHandler({ root: deps.playerDist, mount: '/', name: 'player', workspace: 'apps/player' }));

  app.onError((error, c) => {
    const known = knownErrorResponse(c, error);
    if (known) return known;
    errorLog('unexpected error on %s %s: %O', c.req.method, c.req.path, error);
    return errorResponse(c, 'internal', 'the coordinator failed to handle this request');
  });
  app.notFound((c) => errorResponse(c, 'bad-request', `nothing at ${c.req.method} ${c.req.path}`, 404));
  return app;
}
