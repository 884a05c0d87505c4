import {
  describeIssues,
  MAX_TOC_HOLDERS,
  SegmentKeySchema,
  SequenceNumberSchema,
  StreamIdSchema,
  StreamRegistrationSchema,
  type StreamInfo,
} from '@p2pcdn/core';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Coordinator } from '../coordinator/coordinator.ts';
import { streamTopology, type OriginBytes } from '../coordinator/snapshot.ts';
import { answerToc } from '../coordinator/toc-query.ts';
import type { StreamRegistrar } from '../streams/registrar.ts';
import { errorResponse } from './http-errors.ts';
import { requireOperator } from './operator-auth.ts';

/** What the streams API needs. */
export interface StreamsApiDeps {
  coordinator: Coordinator;
  registrar: StreamRegistrar;
  token: string;
  originBytes: OriginBytes;
}

const MAX_BODY_BYTES = 16 * 1024;

function streamOr404(c: Context, coordinator: Coordinator, raw: string): StreamInfo | Response {
  const id = StreamIdSchema.safeParse(raw);
  if (!id.success) return errorResponse(c, 'bad-request', `"${raw.slice(0, 80)}" is not a stream id`);
  const stream = coordinator.streams.get(id.data);
  return stream ?? errorResponse(c, 'unknown-stream', `no stream "${id.data}" is registered`);
}

/**
 * `?from=` and `?limit=` of `GET /api/toc/:streamId`, checked against the bounds of the
 * `toc-query` message; a sentence when they are not acceptable.
 */
function tocQuestion(
  rawFrom: string,
  rawLimit: string | undefined,
): { from: number; limit: number | undefined } | string {
  const from = /^\d{1,16}$/.test(rawFrom) ? SequenceNumberSchema.safeParse(Number(rawFrom)) : undefined;
  if (!from?.success) {
    return `from: a media sequence number, a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`;
  }
  if (rawLimit === undefined) return { from: from.data, limit: undefined };
  const limit = /^\d{1,3}$/.test(rawLimit) ? Number(rawLimit) : 0;
  if (!(limit >= 1 && limit <= MAX_TOC_HOLDERS)) return `limit: a whole number from 1 to ${MAX_TOC_HOLDERS}`;
  return { from: from.data, limit };
}

/** `/api/streams` (list, register, remove, topology) and `/api/toc/:streamId`. */
export function streamsApi(deps: StreamsApiDeps): Hono {
  const { coordinator, registrar } = deps;
  const api = new Hono();
  const operator = requireOperator(deps.token);

  api.get('/streams', (c) => c.json({ streams: coordinator.streams.all() }));

  api.post(
    '/streams',
    operator,
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => errorResponse(c, 'too-large', `the request body must be under ${MAX_BODY_BYTES} bytes`),
    }),
    async (c) => {
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        return errorResponse(
          c,
          'bad-request',
          'the request body must be JSON (Content-Type: application/json)',
        );
      }
      const parsed = StreamRegistrationSchema.safeParse(body);
      if (!parsed.success) return errorResponse(c, 'bad-request', describeIssues(parsed.error));
      const stream = await registrar.register(parsed.data);
      return c.json({ stream }, 201);
    },
  );

  api.get('/streams/:id', (c) => {
    const stream = streamOr404(c, coordinator, c.req.param('id'));
    return stream instanceof Response ? stream : c.json({ stream });
  });

  api.delete('/streams/:id', operator, async (c) => {
    const stream = streamOr404(c, coordinator, c.req.param('id'));
    if (stream instanceof Response) return stream;
    await registrar.remove(stream.id);
    return c.body(null, 204);
  });

  api.get('/streams/:id/topology', (c) => {
    const stream = streamOr404(c, coordinator, c.req.param('id'));
    if (stream instanceof Response) return stream;
    return c.json({ stream, ...streamTopology(coordinator, stream, deps.originBytes) });
  });

  // `?from=n` lists who can serve the stream from segment n, with their measured throughput:
  // operators only, like every route that shows the fleet's figures per node.
  api.get(
    '/toc/:streamId',
    (c, next) => (c.req.query('from') === undefined ? next() : operator(c, next)),
    async (c, next) => {
      const from = c.req.query('from');
      if (from === undefined) return next();
      const stream = streamOr404(c, coordinator, c.req.param('streamId'));
      if (stream instanceof Response) return stream;
      if (c.req.query('segment') !== undefined)
        return errorResponse(c, 'bad-request', 'ask either for one segment key or from a sequence number');
      const question = tocQuestion(from, c.req.query('limit'));
      if (typeof question === 'string') return errorResponse(c, 'bad-request', question);
      return c.json(await answerToc(coordinator, { streamId: stream.id, ...question }));
    },
  );

  api.get('/toc/:streamId', (c) => {
    const stream = streamOr404(c, coordinator, c.req.param('streamId'));
    if (stream instanceof Response) return stream;
    const segment = c.req.query('segment');
    if (segment === undefined) {
      return c.json({
        streamId: stream.id,
        segments: coordinator.toc.segmentCount(stream.id),
        nodes: coordinator.toc.nodesOf(stream.id),
      });
    }
    const key = SegmentKeySchema.safeParse(segment);
    if (!key.success) return errorResponse(c, 'bad-request', 'segment: a segment key of 1-2100 characters');
    const holders = coordinator.toc.holders(stream.id, key.data).flatMap((nodeId) => {
      const node = coordinator.nodes.get(nodeId);
      if (!node) return [];
      const budget = coordinator.planner.node(nodeId)?.uploadKbps ?? 0;
      const spareKbps = Math.max(0, budget - coordinator.planner.loadKbps(nodeId));
      return [
        {
          nodeId,
          role: node.role,
          name: node.name,
          region: node.region,
          /** Measured over the last heartbeat interval. */
          upKbps: Math.round(node.traffic.upKbps),
          downKbps: Math.round(node.traffic.downKbps),
          spareKbps,
          inTree: coordinator.planner.member(stream.id, nodeId) !== undefined,
        },
      ];
    });
    holders.sort((a, b) => b.spareKbps - a.spareKbps || b.upKbps - a.upKbps);
    return c.json({ streamId: stream.id, segment: key.data, holders });
  });

  return api;
}
