import createDebug from 'debug';

/**
 * Unexpected failures (bugs, not refused requests). The CLIs enable this logger unless `DEBUG`
 * says otherwise, so operators see them; everything else is opt-in via `DEBUG=p2pcdn:*`.
 */
export const errorLog = createDebug('p2pcdn:signaling:error');

/** Turns on {@link errorLog} when the user did not choose loggers with `DEBUG`. */
export function enableErrorLogByDefault(): void {
  if (!process.env.DEBUG) createDebug.enable('p2pcdn:*:error');
}
