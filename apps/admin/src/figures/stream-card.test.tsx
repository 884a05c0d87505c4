import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { LIVE, VOD, makeSnapshotFixture } from '../fixtures/snapshot-fixture.ts';
import { appendSnapshot } from '../store/history.ts';
import { StreamCard } from './stream-card.tsx';

describe('stream-card', () => {
  const snapshot = makeSnapshotFixture();
  const histories = appendSnapshot({}, snapshot);

  function render(streamId: string): string {
    const figures = snapshot.figures.find((f) => f.streamId === streamId)!;
    return renderToStaticMarkup(
      <StreamCard
        stream={snapshot.streams.find((s) => s.id === streamId)}
        figures={figures}
        history={histories[streamId]}
        color="#2563eb"
      />,
    );
  }

  it('shows P2P share and origin egress under their test ids', () => {
    const html = render(LIVE);
    const figures = snapshot.figures.find((f) => f.streamId === LIVE)!;
    expect(html).toContain(`data-testid="figure-p2p-share-${LIVE}">${(figures.p2pShare * 100).toFixed(1)}%<`);
    expect(html).toMatch(new RegExp(`data-testid="figure-origin-kbps-${LIVE}">\\d+\\.\\d+ Mbit/s<`));
  });

  it('shows the origin’s own byte count only when it reports one', () => {
    expect(render(LIVE)).toContain(`figure-origin-bytes-${LIVE}`);
    expect(render(VOD)).not.toContain(`figure-origin-bytes-${VOD}`);
  });
});
