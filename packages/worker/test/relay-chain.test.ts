import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_BITRATE_KBPS, TestNetwork } from './helpers/stack.ts';

/** Upload for exactly one child each: A has more, so the planner puts it at tier 1. */
const UPLOAD_A = Math.round(TEST_BITRATE_KBPS * 1.9);
const UPLOAD_B = Math.round(TEST_BITRATE_KBPS * 1.8);

/**
 * The real thing on loopback: coordinator and origin in-process, two relays and a headless viewer
 * as `p2pcdn-relay` processes on node-datachannel. With upload for one child each, the planner
 * chains them: origin → relay A (tier 1, fetches from the origin) → relay B (tier 2) → viewer.
 * That chain is the skeleton planner's rule (the tiered planner, the default, activates only
 * relays with room for two children: see tiers.test.ts), so these tests select it.
 */
describe('p2pcdn-relay processes', () => {
  let net: TestNetwork;

  beforeEach(async () => {
    net = await TestNetwork.start({ planner: { kind: 'skeleton' } });
  });

  afterEach(async () => {
    await net.close();
  });

  it('deliver a live stream byte for byte over P2P while the origin sends about one copy', async () => {
    await net.register('test-live', 'live');
    const [relayA, relayB] = await Promise.all([
      net.relay('relay-a', UPLOAD_A),
      net.relay('relay-b', UPLOAD_B),
    ]);
    const { segments, summary } = await net.watch('test-live', 5);

    expect(summary).toMatchObject({ segments: 5, reason: 'segments' });
    expect(summary.p2pBytes).toBeGreaterThan(0);
    await relayA.waitFor(/serving test-live from the origin/);
    await relayB.waitFor(/serving test-live from /);

    expect(segments.filter((r) => r.source === 'p2p').length).toBeGreaterThanOrEqual(3);
    // Relay A fetched each segment once; the viewer two hops down cost the origin nothing more.
    const copies = net.originCopies('live');
    expect(copies).toBeGreaterThanOrEqual(1);
    expect(copies).toBeLessThanOrEqual(1.25);

    for (const record of segments) {
      expect(record.sha256, record.key).toBe(await net.originSha256(record.key));
    }

    // A graceful leave: the coordinator moves children first; the CLI exits 0.
    expect(await relayB.interrupt()).toBe(0);
    expect(relayB.lines.join('\n')).toMatch(/left cleanly/);
  });

  it('fetch VOD through the chain on demand', async () => {
    await net.register('test-vod', 'vod');
    await Promise.all([net.relay('relay-a', UPLOAD_A), net.relay('relay-b', UPLOAD_B)]);
    const { segments, summary } = await net.watch('test-vod', 4);

    expect(segments[0]?.sequence).toBe('init');
    expect(segments.filter((r) => r.sequence !== 'init').map((r) => r.sequence)).toEqual([0, 1, 2, 3]);
    expect(summary.p2pBytes).toBeGreaterThan(0);
    expect(net.originCopies('vod')).toBeLessThanOrEqual(1.25);
    for (const record of segments) {
      expect(record.sha256, record.key).toBe(await net.originSha256(record.key));
    }
  });
});
