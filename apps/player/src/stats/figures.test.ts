import { describe, expect, it } from 'vitest';
import { composeFigures, initialFigures, p2pShare, peerFigures, stripeFigure } from './figures.ts';

describe('p2pShare', () => {
  it('is the share of segment bytes that came from peers', () => {
    expect(p2pShare(750, 250)).toBe(0.75);
  });
  it('is zero before any segment', () => {
    expect(p2pShare(0, 0)).toBe(0);
  });
});

describe('peerFigures', () => {
  it('joins links with their counters, parents first, and marks unmeasured RTT as null', () => {
    const peers = peerFigures(
      [
        { peerId: 'tab-9', role: 'child', state: 'connected' },
        { peerId: 'relay-2', role: 'parent', state: 'connecting' },
        { peerId: 'relay-1', role: 'parent', state: 'connected' },
      ],
      [
        { peerId: 'relay-1', bytesIn: 5000, bytesOut: 40, rttMs: 3.5 },
        { peerId: 'tab-9', bytesIn: 20, bytesOut: 4000 },
        { peerId: 'gone', bytesIn: 1, bytesOut: 1 },
      ],
    );
    expect(peers).toEqual([
      { id: 'relay-1', role: 'parent', state: 'connected', bytesIn: 5000, bytesOut: 40, rttMs: 3.5 },
      { id: 'relay-2', role: 'parent', state: 'connecting', bytesIn: 0, bytesOut: 0, rttMs: null },
      { id: 'tab-9', role: 'child', state: 'connected', bytesIn: 20, bytesOut: 4000, rttMs: null },
    ]);
  });
});

describe('composeFigures', () => {
  it('carries playback and transfer figures and rounds seconds', () => {
    const figures = composeFigures({
      nodeId: 'n1',
      streamId: 'demo-live',
      phase: 'playing',
      transfer: { p2pBytes: 300, httpBytes: 100, uploadBytes: 50, links: [] },
      links: [],
      parents: ['relay-1'],
      originAllowed: false,
      playback: { startupMs: 900, stalls: 1, playedSec: 12.3456, bufferSec: 8.019 },
      currentSegment: 'seg-4.m4s #4',
      timeline: [{ step: 'first-fragment', atMs: 700, source: 'p2p', tookMs: 80 }],
      now: 1234,
      integrity: {
        state: 'verified',
        verified: 5,
        rejected: 2,
        bySource: [{ peerId: 'relay-1', rejected: 2, lastSegment: 'http://o/seg-3.m4s' }],
      },
    });
    expect(figures).toEqual({
      nodeId: 'n1',
      streamId: 'demo-live',
      phase: 'playing',
      startupMs: 900,
      stalls: 1,
      p2pBytes: 300,
      httpBytes: 100,
      uploadBytes: 50,
      p2pShare: 0.75,
      bufferSec: 8.02,
      playedSec: 12.35,
      peers: [],
      stripe: null,
      parents: ['relay-1'],
      originAllowed: false,
      currentSegment: 'seg-4.m4s #4',
      timeline: [{ step: 'first-fragment', atMs: 700, source: 'p2p', tookMs: 80 }],
      stallLog: [],
      updatedAt: 1234,
      integrity: {
        state: 'verified',
        verified: 5,
        rejected: 2,
        bySource: [{ peerId: 'relay-1', rejected: 2, lastSegment: 'http://o/seg-3.m4s' }],
      },
    });
    expect(initialFigures(null, 'connecting', 0).integrity).toEqual({
      state: 'unknown-stream',
      verified: 0,
      rejected: 0,
      bySource: [],
    });
  });

  it('adds the error message and kind only when there is an error', () => {
    const base = initialFigures('nope', 'error', 0);
    expect('error' in base).toBe(false);
    const failed = composeFigures({
      nodeId: null,
      streamId: 'nope',
      phase: 'error',
      transfer: { p2pBytes: 0, httpBytes: 0, uploadBytes: 0, links: [] },
      links: [],
      parents: [],
      originAllowed: false,
      playback: { startupMs: null, stalls: 0, playedSec: 0, bufferSec: 0 },
      currentSegment: null,
      now: 0,
      error: { kind: 'unknown-stream', message: 'No stream named "nope".' },
    });
    expect(failed.error).toBe('No stream named "nope".');
    expect(failed.errorKind).toBe('unknown-stream');
  });

  it('shows the striped pull of the watched stream, sources in letter order', () => {
    const pull = {
      streamId: 'demo-live',
      pattern: 'AABAB',
      epoch: 3,
      sources: [
        { peerId: 'relay-2', letter: 'B', share: 0.4, bytesPerSecond: 1000, outOfSequence: 1 },
        { peerId: 'relay-1', letter: 'A', share: 0.6, bytesPerSecond: 1500, outOfSequence: 0 },
      ],
    };
    const other = { ...pull, streamId: 'demo-vod' };
    expect(stripeFigure([other, pull], 'demo-live')?.sources.map((s) => s.letter)).toEqual(['A', 'B']);
    expect(stripeFigure([other], 'demo-live')).toBeNull();
    expect(stripeFigure([{ ...pull, pattern: '' }], 'demo-live')).toBeNull();
    expect(stripeFigure(undefined, 'demo-live')).toBeNull();
  });
});
