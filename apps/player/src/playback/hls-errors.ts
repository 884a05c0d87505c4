import { assertNever } from '@p2pcdn/core';
import { ErrorDetails, ErrorTypes, type ErrorData } from 'hls.js';
import { PlayerError } from '../page/player-error.ts';

/** What to do about one hls.js `ERROR` event. */
export type HlsErrorDecision =
  | { action: 'ignore' }
  /** Call `hls.recoverMediaError()` (allowed once). */
  | { action: 'recover-media' }
  /** Stop and show `error`. */
  | { action: 'fail'; error: PlayerError };

/** The hls.js failures that mean the playlist itself could not be fetched or read. */
const PLAYLIST_FAILURES: ReadonlySet<ErrorDetails> = new Set([
  ErrorDetails.MANIFEST_LOAD_ERROR,
  ErrorDetails.MANIFEST_LOAD_TIMEOUT,
  ErrorDetails.MANIFEST_PARSING_ERROR,
  ErrorDetails.LEVEL_LOAD_ERROR,
  ErrorDetails.LEVEL_LOAD_TIMEOUT,
  ErrorDetails.LEVEL_EMPTY_ERROR,
]);

/** Maximum `recoverMediaError()` calls before a media error is shown to the viewer. */
export const MAX_MEDIA_RECOVERIES = 1;

/**
 * Policy for hls.js errors: non-fatal ones are hls.js's business (it retries); a fatal network
 * error means the origin is unreachable; a fatal media error is recovered once, then shown.
 * `origin` names the origin (its host) in messages.
 */
export function decideHlsError(
  data: Pick<ErrorData, 'type' | 'details' | 'fatal' | 'response' | 'error'>,
  state: { mediaRecoveries: number; origin: string },
): HlsErrorDecision {
  if (!data.fatal) return { action: 'ignore' };
  const cause = data.error;
  switch (data.type) {
    case ErrorTypes.NETWORK_ERROR: {
      const code = data.response?.code;
      const status = code ? `HTTP ${code}` : 'no answer';
      if (PLAYLIST_FAILURES.has(data.details)) {
        const what =
          data.details === ErrorDetails.MANIFEST_PARSING_ERROR ||
          data.details === ErrorDetails.LEVEL_EMPTY_ERROR
            ? 'its playlist is not a playable HLS playlist'
            : `its playlist did not load (${status})`;
        return {
          action: 'fail',
          error: new PlayerError(
            'origin-unreachable',
            `The stream's origin ${state.origin} is unreachable: ${what}.`,
            {
              cause,
            },
          ),
        };
      }
      return {
        action: 'fail',
        error: new PlayerError(
          'origin-unreachable',
          `Segments stopped arriving: neither peers nor the origin ${state.origin} delivered them (${status}).`,
          { cause },
        ),
      };
    }
    case ErrorTypes.MEDIA_ERROR:
      if (state.mediaRecoveries < MAX_MEDIA_RECOVERIES) return { action: 'recover-media' };
      return {
        action: 'fail',
        error: new PlayerError('media', `This browser could not decode the stream (${data.details}).`, {
          cause,
        }),
      };
    case ErrorTypes.KEY_SYSTEM_ERROR:
    case ErrorTypes.MUX_ERROR:
    case ErrorTypes.OTHER_ERROR:
      return {
        action: 'fail',
        error: new PlayerError('media', `Playback failed (${data.details}: ${cause.message}).`, { cause }),
      };
    default:
      return assertNever(data.type, 'hls.js error type');
  }
}
