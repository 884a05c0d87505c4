import { describe, expect, it } from 'vitest';
import { loadMediaPlaylist, parsePlaylist, pickVariant } from './playlist.ts';

const master = `#EXTM3U
#EXT-X-STREAM-INF:BANDWIDTH=2500000
hi/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=800000
lo/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=1200000
mid/index.m3u8
`;

const media = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:40
#EXT-X-MAP:URI="init.mp4"
#EXTINF:2.0,
seg-40.m4s
#EXTINF:2.0,
seg-41.m4s
#EXT-X-BYTERANGE:1000@0
#EXTINF:2.0,
all.ts
#EXT-X-BYTERANGE:500
#EXTINF:1.5,
all.ts
`;

describe('pickVariant', () => {
  it('takes the highest bandwidth within the budget, else the lowest', () => {
    const { variants } = parsePlaylist(master, 'http://o/m.m3u8') as unknown as {
      variants: Parameters<typeof pickVariant>[0];
    };
    expect(pickVariant(variants, 1500)?.uri).toBe('mid/index.m3u8');
    expect(pickVariant(variants, 5000)?.uri).toBe('hi/index.m3u8');
    expect(pickVariant(variants, 100)?.uri).toBe('lo/index.m3u8');
  });
});

describe('loadMediaPlaylist', () => {
  it('resolves a master playlist to one variant and names segments with absolute URLs', async () => {
    const loaded: string[] = [];
    const view = await loadMediaPlaylist('http://o:81/live/master.m3u8', 'demo-live', 1000, async (url) => {
      loaded.push(url);
      return url.endsWith('master.m3u8') ? master : media;
    });
    expect(loaded).toEqual(['http://o:81/live/master.m3u8', 'http://o:81/live/lo/index.m3u8']);
    expect(view.live).toBe(true);
    expect(view.targetDurationSec).toBe(2);
    expect(view.segments.map((s) => s.sequence)).toEqual([40, 41, 42, 43]);
    expect(view.segments[0]).toEqual({
      ref: { streamId: 'demo-live', url: 'http://o:81/live/lo/seg-40.m4s' },
      init: { streamId: 'demo-live', url: 'http://o:81/live/lo/init.mp4' },
      sequence: 40,
      durationSec: 2,
    });
    expect(view.segments[2]?.ref.range).toEqual({ start: 0, end: 1000 });
    expect(view.segments[3]?.ref.range).toEqual({ start: 1000, end: 1500 });
  });

  it('sees a VOD playlist as not live and rejects garbage', async () => {
    const vod = `${media}#EXT-X-ENDLIST\n`;
    expect((await loadMediaPlaylist('http://o/v.m3u8', 's', 1000, async () => vod)).live).toBe(false);
    await expect(loadMediaPlaylist('http://o/v.m3u8', 's', 1000, async () => '<html>')).rejects.toMatchObject(
      {
        kind: 'playlist',
      },
    );
  });
});
