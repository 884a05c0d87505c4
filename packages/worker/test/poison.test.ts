import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestNetwork } from './helpers/stack.ts';

/**
 * A relay run with `--poison 1` corrupts every data block it sends. Its viewers (real
 * `p2pcdn-relay --viewer` processes on node-datachannel) must verify every segment against the
 * origin's signed manifest, drop the bad ones, get them again elsewhere (the origin) and report
 * the relay; reports from several viewers get it evicted.
 */
describe('a poisoned relay', () => {
  let net: TestNetwork;

  beforeEach(async () => {
    net = await TestNetwork.start();
  });

  afterEach(async () => {
    await net.close();
  });

  it('never gets a bad byte past its viewers, and is evicted after their reports', async () => {
    await net.register('test-vod', 'vod');
    const poisoner = await net.relay('poisoner', 40_000, ['--poison', '1']);
    expect(poisoner.lines.join('\n')).toMatch(/TEST MODE: --poison 1/);

    const reports = await Promise.all(['v1', 'v2', 'v3'].map((name) => net.watch('test-vod', 4, name)));

    for (const { segments, summary } of reports) {
      expect(summary).toMatchObject({ verification: 'verified', reason: 'segments' });
      expect(segments.filter((r) => r.sequence !== 'init').map((r) => r.sequence)).toEqual([0, 1, 2, 3]);
      for (const record of segments) {
        expect(record.sha256, record.key).toBe(await net.originSha256(record.key));
      }
    }
    const rejected = reports.reduce((sum, r) => sum + r.summary.rejectedSegments, 0);
    expect(rejected).toBeGreaterThanOrEqual(3);

    const events = net.coordinator.coordinator.events.recent().filter((e) => e.kind === 'misbehaviour');
    expect(events.map((e) => e.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/poisoner EVICTED from every tree/)]),
    );
    expect([...net.coordinator.coordinator.nodes.all()].map((n) => n.name)).not.toContain('poisoner');
    const corrupted = await poisoner.waitFor(/poison: [1-9]\d* of \d+ blocks sent were corrupted/);
    expect(corrupted).toBeTruthy();
  }, 120_000);
});
