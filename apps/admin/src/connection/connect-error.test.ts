import { describe, expect, it } from 'vitest';
import { describeConnectError } from './connect-error.ts';

describe('connect-error', () => {
  it('reports a transport failure as reconnecting while socket.io retries', () => {
    expect(describeConnectError({ message: 'xhr poll error' }, true)).toEqual({
      status: 'reconnecting',
      message: 'Cannot reach the coordinator (xhr poll error); retrying…',
    });
  });

  it('reports a middleware refusal with an error body as a refused token', () => {
    const state = describeConnectError(
      { message: 'unauthorized', data: { code: 'unauthorized', message: 'bad operator token' } },
      false,
    );
    expect(state).toEqual({ status: 'refused', message: 'Bad operator token.' });
  });

  it('recognises a bare "unauthorized" message', () => {
    expect(describeConnectError({ message: 'unauthorized' }, false).message).toBe(
      'Operator token refused: unauthorized.',
    );
  });

  it('shows the coordinator’s own sentence when it names the token', () => {
    const message = 'operator token refused: it does not match this coordinator’s token';
    expect(describeConnectError({ message }, false).message).toBe(
      'Operator token refused: it does not match this coordinator’s token.',
    );
  });

  it('still explains other refusals', () => {
    expect(describeConnectError({ message: 'rate-limited' }, false)).toEqual({
      status: 'refused',
      message: 'The coordinator refused the connection: rate-limited.',
    });
  });
});
