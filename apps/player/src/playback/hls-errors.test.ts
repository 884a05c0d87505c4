import { ErrorDetails, ErrorTypes, type ErrorData } from 'hls.js';
import { describe, expect, it } from 'vitest';
import { decideHlsError } from './hls-errors.ts';

const ORIGIN = '127.0.0.1:8081';

function error(
  type: ErrorTypes,
  details: ErrorDetails,
  fatal: boolean,
  code?: number,
): Pick<ErrorData, 'type' | 'details' | 'fatal' | 'response' | 'error'> {
  return {
    type,
    details,
    fatal,
    error: new Error(details),
    ...(code === undefined ? {} : { response: { url: 'http://127.0.0.1:8081/live/index.m3u8', code } }),
  };
}

describe('decideHlsError', () => {
  it('leaves non-fatal errors to hls.js', () => {
    const decision = decideHlsError(error(ErrorTypes.NETWORK_ERROR, ErrorDetails.FRAG_LOAD_ERROR, false), {
      mediaRecoveries: 0,
      origin: ORIGIN,
    });
    expect(decision).toEqual({ action: 'ignore' });
  });

  it('reports an unreachable origin when the playlist does not load', () => {
    const decision = decideHlsError(
      error(ErrorTypes.NETWORK_ERROR, ErrorDetails.MANIFEST_LOAD_ERROR, true, 0),
      {
        mediaRecoveries: 0,
        origin: ORIGIN,
      },
    );
    if (decision.action !== 'fail') throw new Error('expected fail');
    expect(decision.error.kind).toBe('origin-unreachable');
    expect(decision.error.message).toBe(
      "The stream's origin 127.0.0.1:8081 is unreachable: its playlist did not load (no answer).",
    );
  });

  it('names the HTTP status of a failed playlist', () => {
    const decision = decideHlsError(
      error(ErrorTypes.NETWORK_ERROR, ErrorDetails.LEVEL_LOAD_ERROR, true, 404),
      {
        mediaRecoveries: 0,
        origin: ORIGIN,
      },
    );
    expect(decision.action === 'fail' && decision.error.message).toContain('HTTP 404');
  });

  it('reports segments that neither peers nor the origin delivered', () => {
    const decision = decideHlsError(
      error(ErrorTypes.NETWORK_ERROR, ErrorDetails.FRAG_LOAD_ERROR, true, 503),
      {
        mediaRecoveries: 0,
        origin: ORIGIN,
      },
    );
    if (decision.action !== 'fail') throw new Error('expected fail');
    expect(decision.error.kind).toBe('origin-unreachable');
    expect(decision.error.message).toContain('Segments stopped arriving');
  });

  it('recovers a fatal media error once, then gives up', () => {
    const media = error(ErrorTypes.MEDIA_ERROR, ErrorDetails.BUFFER_APPEND_ERROR, true);
    expect(decideHlsError(media, { mediaRecoveries: 0, origin: ORIGIN })).toEqual({
      action: 'recover-media',
    });
    const second = decideHlsError(media, { mediaRecoveries: 1, origin: ORIGIN });
    expect(second.action === 'fail' && second.error.kind).toBe('media');
  });

  it('shows other fatal errors', () => {
    const decision = decideHlsError(error(ErrorTypes.OTHER_ERROR, ErrorDetails.INTERNAL_EXCEPTION, true), {
      mediaRecoveries: 0,
      origin: ORIGIN,
    });
    expect(decision.action).toBe('fail');
  });
});
