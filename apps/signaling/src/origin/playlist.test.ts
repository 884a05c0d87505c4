import { describe, expect, it } from 'vitest';
import { livePlaylist, targetDuration, vodPlaylist } from './playlist.ts';

describe('playlist', () => {
  it('writes a VOD playlist with every segment, the init map and ENDLIST', () => {
    expect(vodPlaylist([2, 2, 1.5])).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:7',
        '#EXT-X-TARGETDURATION:2',
        '#EXT-X-MEDIA-SEQUENCE:0',
        '#EXT-X-PLAYLIST-TYPE:VOD',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-MAP:URI="init.mp4"',
        '#EXTINF:2.000000,',
        'seg-0.m4s',
        '#EXTINF:2.000000,',
        'seg-1.m4s',
        '#EXTINF:1.500000,',
        'seg-2.m4s',
        '#EXT-X-ENDLIST',
        '',
      ].join('\n'),
    );
  });

  it('writes a live playlist for the window, without ENDLIST', () => {
    const text = livePlaylist({ first: 17, last: 18, oldestServed: 10 }, () => 2, 2);
    expect(text).toContain('#EXT-X-MEDIA-SEQUENCE:17\n');
    expect(text).toMatch(/seg-17\.m4s\n#EXTINF:2\.000000,\nseg-18\.m4s\n$/);
    expect(text).not.toContain('ENDLIST');
    expect(text).not.toContain('PLAYLIST-TYPE');
  });

  it('rounds the target duration as RFC 8216 asks', () => {
    expect(targetDuration([2, 2.4])).toBe(2);
    expect(targetDuration([2, 2.5])).toBe(3);
  });
});
