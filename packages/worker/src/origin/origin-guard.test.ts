import type { StreamInfo } from '@p2pcdn/core';
import { describe, expect, it } from 'vitest';
import { isOnStreamOrigin, OriginGuard } from './origin-guard.ts';

const stream: StreamInfo = {
  id: 'demo-live',
  title: 'Demo',
  url: 'http://127.0.0.1:8081/live/index.m3u8',
  bitrateKbps: 1000,
  createdAt: 0,
};

describe('isOnStreamOrigin', () => {
  it('accepts URLs on the playlist origin, whatever the path', () => {
    expect(isOnStreamOrigin(stream.url, 'http://127.0.0.1:8081/live/seg-1.m4s')).toBe(true);
    expect(isOnStreamOrigin(stream.url, 'http://127.0.0.1:8081/other/x.ts?token=1')).toBe(true);
  });

  it('refuses other hosts, ports, schemes, credentials and garbage', () => {
    expect(isOnStreamOrigin(stream.url, 'http://169.254.169.254/latest/meta-data')).toBe(false);
    expect(isOnStreamOrigin(stream.url, 'http://127.0.0.1:8080/api/streams')).toBe(false);
    expect(isOnStreamOrigin(stream.url, 'https://127.0.0.1:8081/live/seg-1.m4s')).toBe(false);
    expect(isOnStreamOrigin(stream.url, 'http://user:pw@127.0.0.1:8081/live/seg-1.m4s')).toBe(false);
    expect(isOnStreamOrigin(stream.url, 'http://127.0.0.1:8081@evil.example/seg')).toBe(false);
    expect(isOnStreamOrigin(stream.url, 'file:///etc/passwd')).toBe(false);
    expect(isOnStreamOrigin(stream.url, 'not a url')).toBe(false);
  });
});

describe('OriginGuard', () => {
  it('allows only streams the coordinator opened, and only their origin', () => {
    const guard = new OriginGuard();
    const seg = { streamId: 'demo-live', url: 'http://127.0.0.1:8081/live/seg-1.m4s' };
    expect(() => guard.check(seg)).toThrow(/not allowed/);
    guard.set('demo-live', true, stream);
    expect(guard.check(seg)).toBe(stream);
    expect(() => guard.check({ streamId: 'demo-live', url: 'http://10.0.0.1/x' })).toThrow(
      /not on the origin/,
    );
    expect(() => guard.check({ streamId: 'demo-vod', url: seg.url })).toThrow(/not allowed/);
    guard.set('demo-live', false, stream);
    expect(guard.isAllowed('demo-live')).toBe(false);
  });
});
