import type { WatchParams } from '../p2p/session.ts';
import { parsePageParams } from './page-params.ts';
import { errorInfo, type PlayerErrorInfo } from './player-error.ts';

/** Which page the query string asks for. */
export type PageRoute =
  { page: 'list' } | { page: 'watch'; params: WatchParams } | { page: 'error'; error: PlayerErrorInfo };

/** `?stream=<id>` watches that stream, no parameter lists the streams, bad parameters explain why. */
export function routeFor(search: string): PageRoute {
  try {
    const params = parsePageParams(search);
    const { streamId } = params;
    return streamId === null ? { page: 'list' } : { page: 'watch', params: { ...params, streamId } };
  } catch (error) {
    return { page: 'error', error: errorInfo(error, 'bad-request') };
  }
}
