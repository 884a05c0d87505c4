import type { AdminEvent } from '@p2pcdn/core';
import { afterEach, describe, expect, it } from 'vitest';
import { TestNetwork } from './helpers/stack.ts';
import { gapsAndDuplicates, InProcessViewer, until } from './helpers/viewers.ts';

const STREAM = 'tiers-live';
/** The demo clip's real bitrate, so measured upload and planned load agree. */
const BITRATE_KBPS = 1000;

/**
 * Tiered trees on real node-datachannel peers: relays as `p2pcdn-relay` processes, headless
 * viewers (the worker's viewer mode) in this process, coordinator and origin in-process. The
 * load marks are low enough for a handful of viewers at the clip's 1 Mbit/s to cross them.
 */
describe('tiered relay trees', () => {
  let net: TestNetwork;
  const viewers: InProcessViewer[] = [];

  afterEach(async () => {
    await Promise.all(viewers.splice(0).map((v) => v.stop().catch(() => undefined)));
    await net.close();
  });

  async function watch(n: number, maxSegments: number): Promise<InProcessViewer[]> {
    const started: InProcessViewer[] = [];
    for (let i = 0; i < n; i++) {
      const v = await InProcessViewer.start(net.coordinator.url, STREAM, { name: `v${i}`, maxSegments });
      viewers.push(v);
      started.push(v);
    }
    return started;
  }

  /** Waits for an admin event; on a timeout the error lists the event log. */
  async function event(kind: AdminEvent['kind'], pattern: RegExp, timeoutMs: number): Promise<AdminEvent> {
    const log = net.coordinator.coordinator.events;
    try {
      return await until(
        `a ${kind} event`,
        () => log.recent().find((e) => e.kind === kind && pattern.test(e.message)),
        timeoutMs,
      );
    } catch (error) {
      const lines = log.recent().map((e) => `${e.at} ${e.kind} ${e.message}`);
      throw new Error(`${(error as Error).message}; events:\n${lines.join('\n')}`, { cause: error });
    }
  }

  /** Every viewer received a run of consecutive segments, each byte for byte the origin's. */
  async function expectIntact(list: readonly InProcessViewer[]): Promise<void> {
    for (const v of list) {
      const media = v.media();
      expect(media.length, v.nodeId).toBeGreaterThan(0);
      expect(gapsAndDuplicates(media), v.nodeId).toEqual({ missing: [], twice: [] });
      for (const record of media) expect(record.sha256, record.key).toBe(await net.originSha256(record.key));
    }
  }

  it('distributes an overloaded relay onto a new tier and consolidates it again, make before break', async () => {
    net = await TestNetwork.start({
      planner: { highWater: 0.6, lowWater: 0.3, minActiveMs: 6_000, warmupMs: 0, forecast: false },
    });
    await net.register(STREAM, 'live', BITRATE_KBPS);
    const c = net.coordinator.coordinator;
    const relays = [await net.relayWithId('relay-a', 4000), await net.relayWithId('relay-b', 4000)];
    const list = await watch(3, 60);

    // Three viewers at 1 Mbit/s on a 4 Mbit/s relay: over the 0.6 mark, the relay asks to distribute.
    const distributed = await event('distribute', /distributed/, 45_000);
    const head = distributed.nodeId;
    const second = relays.map((r) => r.id).find((id) => id !== head);
    expect(second).toBeDefined();
    expect(c.planner.member(STREAM, second ?? '')?.tier).toBe(2);
    const moved = list.filter((v) => c.planner.member(STREAM, v.nodeId)?.parent === second);
    expect(moved.length).toBeGreaterThan(0);
    // Each moved viewer pulls from the new relay (connected before its old link was cut).
    await until(
      'segments from the new relay',
      () => moved.every((v) => v.media().some((r) => r.peerId === second)),
      30_000,
    );

    // One viewer left under the new relay: it falls under the 0.3 mark and is merged away.
    for (const v of moved.slice(1)) await v.stop();
    const last = moved[0] as InProcessViewer;
    await event('consolidate', /consolidated away/, 45_000);
    await until('the last viewer moved', () => c.planner.member(STREAM, last.nodeId)?.parent === head);
    expect(c.planner.member(STREAM, second ?? '')).toBeUndefined();
    // Make before break: the old relay serves it until its link to the head is confirmed.
    await until('its link to the head confirmed', () => c.isConfirmed(STREAM, last.nodeId, head ?? ''));
    const after = last.media().length;
    await until('segments after the move', () => last.media().length >= after + 3, 30_000);
    expect(
      last
        .media()
        .slice(after)
        .every((r) => r.source !== 'p2p' || r.peerId === head),
    ).toBe(true);

    const kinds = new Set(c.events.recent().map((e) => e.kind));
    for (const kind of ['activate', 'distribute', 'reparent', 'consolidate', 'deactivate'] as const) {
      expect(kinds.has(kind), kind).toBe(true);
    }
    await expectIntact(list);
  }, 150_000);

  it('re-parents every child of a relay that dies without goodbye, with no gap at any viewer', async () => {
    net = await TestNetwork.start({
      planner: { highWater: 1, lowWater: 0, warmupMs: 0, forecast: false },
    });
    await net.register(STREAM, 'live', BITRATE_KBPS);
    const c = net.coordinator.coordinator;
    const relays = [
      await net.relayWithId('relay-a', 3000),
      await net.relayWithId('relay-b', 3000),
      await net.relayWithId('relay-c', 3000),
    ];
    const list = await watch(5, 60);
    await until('every viewer playing', () => list.every((v) => v.media().length >= 3), 30_000);

    // The relay feeding the most children dies (SIGKILL: no leave, its sockets just close).
    const victim = [...relays].sort(
      (x, y) => c.planner.children(STREAM, y.id).length - c.planner.children(STREAM, x.id).length,
    )[0];
    if (!victim) throw new Error('no relay');
    const orphans = c.planner.children(STREAM, victim.id);
    expect(orphans.length).toBeGreaterThan(0);
    const counts = new Map(list.map((v) => [v.nodeId, v.media().length]));
    await victim.process.kill();

    await until('the dead relay removed', () => !c.nodes.has(victim.id), 10_000);
    for (const orphan of orphans) {
      const parent = c.planner.member(STREAM, orphan)?.parent;
      expect(parent, orphan).not.toBe(victim.id);
      expect(c.planner.member(STREAM, orphan), orphan).toBeDefined();
    }
    // Everyone keeps playing past the failure.
    await until(
      'segments after the failure',
      () => list.every((v) => v.media().length >= (counts.get(v.nodeId) ?? 0) + 3),
      40_000,
    );
    expect(c.events.recent().some((e) => e.kind === 'leave' && e.nodeId === victim.id)).toBe(true);
    await expectIntact(list);
  }, 150_000);
  it('with two stripes, feeds stripe 1’s head from stripe 0’s: the origin sends about one copy', async () => {
    net = await TestNetwork.start({
      planner: { stripes: 2, highWater: 1, lowWater: 0, warmupMs: 0, forecast: false },
    });
    await net.register(STREAM, 'live', BITRATE_KBPS);
    const c = net.coordinator.coordinator;
    const relays = [await net.relayWithId('relay-a', 4000), await net.relayWithId('relay-b', 4000)];
    const list = await watch(3, 60);
    await until('every viewer playing', () => list.every((v) => v.media().length >= 8), 60_000);

    // One head per stripe; only stripe 0's is told to fetch from the origin.
    const told = relays.map((r) => c.planner.assignment(STREAM, r.id));
    expect(told.filter((a) => a?.origin)).toHaveLength(1);
    const fed = told.find((a) => a && !a.origin);
    const h0 = told.find((a) => a?.origin)?.nodeId;
    expect(fed?.parents).toEqual([{ id: h0, role: 'relay' }]);
    // Each viewer pulls from both heads, one per stripe.
    for (const v of list) {
      expect(new Set(c.planner.assignment(STREAM, v.nodeId)?.parents.map((p) => p.id))).toEqual(
        new Set(relays.map((r) => r.id)),
      );
    }
    // The relays cost the origin one copy (the viewers' own first segments, fetched over HTTP while
    // their parents connect, aside): the fed head fetched nothing there.
    const { segmentBytes, oneCopyBytes } = net.origin.stats().streams.live;
    const viewersHttp = list
      .flatMap((v) => v.media())
      .filter((r) => r.source === 'http')
      .reduce((n, r) => n + r.bytes, 0);
    expect((segmentBytes - viewersHttp) / oneCopyBytes).toBeLessThanOrEqual(1.1);
    // With the viewers' own start-up segments (HTTP while their two parents connect and the
    // relays are near their 4 Mbit/s caps) it varies with timing; the relays' part is the claim.
    expect(net.originCopies('live')).toBeLessThanOrEqual(3);
    await expectIntact(list);
  }, 150_000);
});
