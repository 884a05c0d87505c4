import type { SegmentRef, StreamInfo } from '@p2pcdn/core';
import { WorkerError } from '../errors.ts';

/**
 * Whether `url` lies on the same origin (scheme, host and port) as the stream's playlist and
 * carries no credentials. Children name the segments they want; this is what stops a child from
 * making a relay fetch an arbitrary host (SSRF).
 */
export function isOnStreamOrigin(streamUrl: string, url: string): boolean {
  let base: URL;
  let target: URL;
  try {
    base = new URL(streamUrl);
    target = new URL(url);
  } catch {
    return false;
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return false;
  if (target.username !== '' || target.password !== '') return false;
  return target.origin === base.origin;
}

/**
 * Tracks which streams this relay may fetch from the origin (the coordinator's `origin: true`)
 * and vets every origin request against them.
 */
export class OriginGuard {
  private readonly allowed = new Map<string, StreamInfo>();

  /** Grants or withdraws origin access for `stream`. */
  set(streamId: string, allowed: boolean, stream: StreamInfo | undefined): void {
    if (allowed && stream) this.allowed.set(streamId, stream);
    else this.allowed.delete(streamId);
  }

  isAllowed(streamId: string): boolean {
    return this.allowed.has(streamId);
  }

  /** The stream a request belongs to, or a `forbidden` {@link WorkerError}. */
  check(segment: SegmentRef): StreamInfo {
    const stream = this.allowed.get(segment.streamId);
    if (!stream) {
      throw new WorkerError(
        'forbidden',
        `origin fetches for ${segment.streamId} are not allowed on this node`,
      );
    }
    if (!isOnStreamOrigin(stream.url, segment.url)) {
      throw new WorkerError('forbidden', `${segment.url} is not on the origin of ${segment.streamId}`);
    }
    return stream;
  }
}
