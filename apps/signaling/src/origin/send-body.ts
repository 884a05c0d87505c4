/** The part of `http.ServerResponse` that {@link sendBody} uses (tests pass a fake). */
export interface BodySink {
  readonly destroyed: boolean;
  write(chunk: Uint8Array, callback: (error?: Error | null) => void): boolean;
  end(): void;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain', listener: () => void): unknown;
}

/** Chunk size for writing bodies, so an abort leaves at most one chunk uncounted in flight. */
const CHUNK_BYTES = 64 * 1024;

/**
 * Writes `body` and ends `res`, calling `onWritten(n)` for each chunk only once Node has handed it
 * to the socket, so a client that aborts mid-body is charged only for what was actually sent.
 * Honours backpressure: the next chunk waits for `drain`, so nothing piles up unsent in memory.
 */
export function sendBody(res: BodySink, body: Uint8Array, onWritten: (bytes: number) => void): void {
  let offset = 0;
  const pump = (): void => {
    while (offset < body.length) {
      if (res.destroyed) return;
      const chunk = body.subarray(offset, offset + CHUNK_BYTES);
      offset += chunk.length;
      const flowing = res.write(chunk, (error) => {
        if (!error) onWritten(chunk.length);
      });
      if (!flowing) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  res.once('close', () => res.off('drain', pump));
  pump();
}
