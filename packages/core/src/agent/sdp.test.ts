import { describe, expect, it } from 'vitest';
import { takeDtlsClientRole } from './sdp.ts';

describe('takeDtlsClientRole', () => {
  it('turns actpass into active and leaves everything else alone', () => {
    const offer = 'v=0\r\na=setup:actpass\r\na=mid:0\r\n';
    expect(takeDtlsClientRole(offer)).toBe('v=0\r\na=setup:active\r\na=mid:0\r\n');
    expect(takeDtlsClientRole('a=setup:passive\n')).toBe('a=setup:passive\n');
    expect(takeDtlsClientRole('a=setup:actpass\n')).toBe('a=setup:active\n');
  });
});
