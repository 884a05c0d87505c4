/**
 * The page's defaults, in a module of their own with no imports: the early start (evaluated before
 * the rest of the bundle) builds the viewer's hello from them too.
 */

/** Upload a tab offers its children when `?upload=` is absent, kbit/s. */
export const DEFAULT_UPLOAD_KBPS = 8000;
/** Segment cache a tab keeps when `?cache=` (MB) is absent. */
export const DEFAULT_CACHE_BYTES = 200 * 1024 * 1024;
/** Region when `?region=` is absent. */
export const DEFAULT_REGION = 'local';

/** What a viewer tab tells the coordinator about itself (the agent's hello, without its envelope). */
export interface ViewerHello {
  role: 'viewer';
  agent: 'browser';
  region: string;
  capacity: { uploadKbps: number; cacheBytes: number };
  name: 'browser';
}

/** The hello of a viewer tab in `region` offering `capacity`. */
export function viewerHello(region: string, capacity: ViewerHello['capacity']): ViewerHello {
  return { role: 'viewer', agent: 'browser', region, capacity, name: 'browser' };
}
