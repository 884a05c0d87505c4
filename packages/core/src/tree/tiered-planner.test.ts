import { describe, expect, it } from 'vitest';
import { planViolations } from './invariants.ts';
import { TieredPlanner } from './tiered-planner.ts';
import type { TieredPlannerOptions } from './tiered/options.ts';
import type { PlanChanges } from './types.ts';

function setup(options: Partial<TieredPlannerOptions> = {}, bitrateKbps = 1000) {
  const clock = { t: 0 };
  const planner = new TieredPlanner({ now: () => clock.t, warmupMs: 1000, minActiveMs: 5000, ...options });
  planner.addStream({ id: 'live', bitrateKbps, region: 'eu' });
  return { planner, clock };
}

const parentOf = (p: TieredPlanner, id: string, stripe = 0, s = 'live') => p.stripeParent(s, stripe, id);
const relay = (p: TieredPlanner, id: string, uploadKbps: number, region = 'eu') =>
  p.addNode({ id, role: 'relay', uploadKbps, region });
const viewer = (p: TieredPlanner, id: string, region = 'eu', uploadKbps = 0) =>
  p.addNode({ id, role: 'viewer', uploadKbps, region });
const edges = (c: PlanChanges) =>
  (c.edges ?? []).map((e) => `${e.op} ${e.from ?? 'origin'}->${e.to}${e.stripe > 0 ? `/${e.stripe}` : ''}`);

describe('TieredPlanner', () => {
  it('activates the biggest relay near the origin as the head when the first viewer joins, and nothing else', () => {
    const { planner } = setup();
    relay(planner, 'r-small', 5000);
    relay(planner, 'r-big', 20_000);
    relay(planner, 'r-far', 50_000, 'us');
    viewer(planner, 'v1');
    const changes = planner.join('v1', 'live');
    expect(changes.activated).toEqual([{ streamId: 'live', nodeId: 'r-big' }]);
    expect(edges(changes)).toEqual(['add origin->r-big', 'add r-big->v1']);
    expect(planner.assignment('live', 'v1')).toMatchObject({
      parents: [{ id: 'r-big', role: 'relay' }],
      origin: false,
      tier: 2,
    });
    expect(planner.originFanout('live')).toBe(1);
    expect(planViolations(planner)).toEqual([]);
  });

  it('hangs viewers of another region under a relay of their region, activated for them', () => {
    const { planner, clock } = setup();
    relay(planner, 'head', 10_000);
    relay(planner, 'us-1', 10_000, 'us');
    viewer(planner, 'eu-v');
    viewer(planner, 'us-v', 'us');
    planner.join('eu-v', 'live');
    clock.t = 2000;
    const changes = planner.join('us-v', 'live');
    expect(changes.activated.map((a) => a.nodeId)).toEqual(['us-1']);
    expect(parentOf(planner, 'us-1')).toBe('head');
    expect(parentOf(planner, 'us-v')).toBe('us-1');
    expect(planner.originFanout('live')).toBe(1);
  });

  it('keeps shallow slots for relays: viewers fill the deepest farm, new relays the shallowest slots', () => {
    const { planner, clock } = setup();
    relay(planner, 'head', 3000); // three children
    for (const id of ['r1', 'r2', 'r3']) relay(planner, id, 2000);
    const ids = Array.from({ length: 6 }, (_, i) => `v${i}`);
    for (const id of ids) viewer(planner, id);
    for (const id of ids) {
      planner.join(id, 'live');
      clock.t += 2000;
    }
    // head → r1, r2, r3 (relays took the head's slots by splitting), two viewers under each.
    const tiers = ids.map((id) => planner.member('live', id)?.tier ?? 0);
    expect(Math.max(...tiers)).toBe(3);
    expect(planner.children('live', 'head').every((id) => planner.node(id)?.role === 'relay')).toBe(true);
    expect(planner.originFanout('live')).toBe(1);
    expect(planViolations(planner)).toEqual([]);
  });

  it('falls back to the origin only when no relay or tab has room', () => {
    const { planner } = setup();
    relay(planner, 'r1', 2000);
    for (const id of ['a', 'b', 'c']) viewer(planner, id);
    planner.join('a', 'live');
    planner.join('b', 'live');
    const changes = planner.join('c', 'live');
    expect(changes.assignments).toEqual([
      expect.objectContaining({ nodeId: 'c', origin: true, parents: [], tier: 1 }),
    ]);
    expect(planner.originFanout('live')).toBe(2);
    // A relay arrives: the viewer the origin fed moves under it.
    const adopt = planner.addNode({ id: 'r2', role: 'relay', uploadKbps: 5000, region: 'eu' });
    expect(adopt.activated.map((a) => a.nodeId)).toEqual(['r2']);
    expect(planner.originFanout('live')).toBe(1);
    expect(planViolations(planner)).toEqual([]);
  });

  it('promotes a capable tab below the relays when the relays are full', () => {
    const { planner } = setup();
    relay(planner, 'r1', 2000);
    viewer(planner, 'tab', 'eu', 3000);
    viewer(planner, 'b');
    viewer(planner, 'c');
    planner.join('tab', 'live');
    planner.join('b', 'live');
    planner.join('c', 'live');
    expect(parentOf(planner, 'c')).toBe('tab');
    expect(planner.member('live', 'c')?.tier).toBe(3);
    expect(planViolations(planner)).toEqual([]);
  });

  it('shares a relay’s upload across streams and never books it twice', () => {
    const { planner, clock } = setup();
    planner.addStream({ id: 'vod', bitrateKbps: 2000 });
    relay(planner, 'r1', 4000);
    for (const id of ['a', 'b', 'c']) viewer(planner, id);
    planner.join('a', 'vod'); // 2000
    clock.t = 5000;
    planner.join('b', 'live'); // 3000
    planner.join('c', 'vod'); // would need 5000: origin
    expect(planner.loadKbps('r1')).toBe(3000);
    expect(parentOf(planner, 'c', 0, 'vod')).toBeNull();
    expect(planViolations(planner)).toEqual([]);
  });

  it('gives each viewer one parent per stripe and keeps stripe interiors disjoint', () => {
    const { planner } = setup({ stripes: 2 });
    for (const id of ['r1', 'r2', 'r3', 'r4']) relay(planner, id, 4000);
    for (const id of ['a', 'b', 'c']) viewer(planner, id);
    for (const id of ['a', 'b', 'c']) planner.join(id, 'live');
    const a = planner.assignment('live', 'a');
    expect(a?.stripes).toHaveLength(2);
    expect(a?.parents).toHaveLength(2);
    const interior = (s: number) =>
      new Set(
        planner
          .edges('live')
          .filter((e) => e.stripe === s && e.from !== null)
          .map((e) => e.from),
      );
    const [s0, s1] = [interior(0), interior(1)];
    expect([...s0].filter((id) => s1.has(id))).toEqual([]);
    // A stripe child costs half the bitrate: 3 viewers × 500 under one relay per stripe.
    expect(planner.originFanout('live')).toBe(2);
    expect(planViolations(planner)).toEqual([]);
  });

  it('distributes an overloaded relay: a new relay takes viewers down to the middle of its band, connected before they are cut', () => {
    const { planner, clock } = setup();
    relay(planner, 'head', 10_000);
    relay(planner, 'spare', 10_000);
    const ids = Array.from({ length: 8 }, (_, i) => `v${i}`);
    for (const id of ids) viewer(planner, id);
    for (const id of ids) planner.join(id, 'live');
    clock.t = 5000;
    expect(planner.thresholdState('head')).toBe('distribute');
    const changes = planner.distribute('head');
    expect(changes.activated.map((a) => a.nodeId)).toEqual(['spare']);
    const list = edges(changes);
    const firstRemove = list.findIndex((e) => e.startsWith('remove'));
    expect(list.slice(0, firstRemove).every((e) => e.startsWith('add'))).toBe(true);
    // 8 of 10 slots used, band 0.2–0.8: three viewers move so that the head is back at 0.5.
    expect(list.filter((e) => e.startsWith('add') && e.includes('spare->'))).toHaveLength(3);
    expect(planner.children('live', 'spare')).toHaveLength(3);
    expect(planner.loadRatio('head')).toBeCloseTo(0.6, 6); // five viewers and the new relay
    expect(planner.isWarming('live', 'spare')).toBe(true);
    expect(planViolations(planner)).toEqual([]);
  });

  it('consolidates an underloaded relay once it is no longer fresh: its children move first, then it is released', () => {
    const { planner, clock } = setup();
    relay(planner, 'head', 10_000);
    relay(planner, 'r2', 10_000);
    const ids = Array.from({ length: 8 }, (_, i) => `v${i}`);
    for (const id of ids) viewer(planner, id);
    for (const id of ids) planner.join(id, 'live');
    clock.t = 2000;
    planner.distribute('head'); // r2 takes three viewers
    const moved = planner.children('live', 'r2');
    expect(moved).toHaveLength(3);
    // One of the eight leaves: the audience is still there, so the grace holds.
    planner.leave(moved[2] as string, 'live');
    expect(planner.thresholdState('r2')).toBe('consolidate');
    clock.t = 5000;
    expect(planner.consolidate('r2').edges).toEqual([]); // too fresh
    clock.t = 7000;
    const changes = planner.consolidate('r2');
    expect(changes.released).toEqual([{ streamId: 'live', nodeId: 'r2' }]);
    const list = edges(changes);
    expect(list.slice(0, 2).sort()).toEqual([`add head->${moved[0]}`, `add head->${moved[1]}`].sort());
    expect(list.slice(2).sort()).toEqual(
      ['remove head->r2', `remove r2->${moved[0]}`, `remove r2->${moved[1]}`].sort(),
    );
    expect(planner.activeRelays('live')).toEqual(['head']);
    expect(planViolations(planner)).toEqual([]);
  });

  it('merges a leaf relay into the relay that feeds it when the feeder asks, so the head keeps the origin copy', () => {
    const { planner, clock } = setup();
    relay(planner, 'head', 10_000);
    relay(planner, 'r2', 10_000);
    const ids = Array.from({ length: 8 }, (_, i) => `v${i}`);
    for (const id of ids) viewer(planner, id);
    for (const id of ids) planner.join(id, 'live');
    clock.t = 2000;
    planner.distribute('head'); // r2 hangs under head and takes three viewers
    expect(parentOf(planner, 'r2')).toBe('head');
    for (const id of ids.slice(2)) planner.leave(id, 'live');
    clock.t = 20_000;
    expect(planner.thresholdState('head')).toBe('consolidate');
    // The head asks, but it feeds r2: r2 is merged into it instead.
    expect(planner.consolidate('head').released).toEqual([{ streamId: 'live', nodeId: 'r2' }]);
    expect(planner.activeRelays('live')).toEqual(['head']);
    expect(planner.originFanout('live')).toBe(1);
    expect(planViolations(planner)).toEqual([]);
  });

  it('consolidates a fresh relay at once when its audience clearly left, unless the forecast expects it back', () => {
    const run = (forecast: number | undefined) => {
      const { planner, clock } = setup();
      relay(planner, 'head', 10_000);
      relay(planner, 'r2', 10_000);
      const ids = Array.from({ length: 8 }, (_, i) => `v${i}`);
      for (const id of ids) viewer(planner, id);
      for (const id of ids) planner.join(id, 'live');
      clock.t = 2000;
      planner.distribute('head'); // r2 takes three viewers, with eight watching
      const moved = planner.children('live', 'r2');
      // Three of the eight leave (more than a quarter), two of them from r2.
      for (const id of [
        moved[1],
        moved[2],
        planner.children('live', 'head').find((c) => c.startsWith('v')),
      ]) {
        planner.leave(id as string, 'live');
      }
      if (forecast !== undefined) planner.provision('live', forecast);
      clock.t = 3000; // well within minActiveMs (5 s)
      return { planner, changes: planner.consolidate('r2') };
    };
    const gone = run(undefined);
    expect(gone.changes.released).toEqual([{ streamId: 'live', nodeId: 'r2' }]);
    expect(gone.planner.activeRelays('live')).toEqual(['head']);
    expect(planViolations(gone.planner)).toEqual([]);
    // The forecast says five viewers: still fewer than when r2 was activated.
    expect(run(5).changes.released).toEqual([{ streamId: 'live', nodeId: 'r2' }]);
    // The forecast expects the eight back: the grace holds.
    const back = run(8);
    expect(back.changes.released).toEqual([]);
    expect(back.planner.activeRelays('live').sort()).toEqual(['head', 'r2']);
  });

  it('distributes and consolidates only in the stream named, when one is', () => {
    const { planner, clock } = setup();
    planner.addStream({ id: 'other', bitrateKbps: 1000, region: 'eu' });
    relay(planner, 'head', 10_000);
    relay(planner, 'spare', 10_000);
    const ids = Array.from({ length: 8 }, (_, i) => `v${i}`);
    for (const id of ids) viewer(planner, id);
    for (const id of ids) planner.join(id, 'live');
    clock.t = 2000;
    expect(planner.distribute('head', 'other').assignments).toEqual([]);
    expect(planner.distribute('head', 'live').activated).toEqual([{ streamId: 'live', nodeId: 'spare' }]);
    clock.t = 20_000;
    for (const id of planner.children('live', 'spare')) planner.leave(id, 'live');
    expect(planner.consolidate('spare', 'other').released).toEqual([]);
    expect(planner.consolidate('spare', 'live').released).toEqual([{ streamId: 'live', nodeId: 'spare' }]);
    expect(planViolations(planner)).toEqual([]);
  });

  it('counts the slot a consolidated relay frees at its parent, so a full parent can take its child back', () => {
    const { planner, clock } = setup({ highWater: 0.7, lowWater: 0.3 });
    relay(planner, 'head', 5000);
    relay(planner, 'r2', 5000);
    const ids = ['a', 'b', 'c', 'd'];
    for (const id of ids) viewer(planner, id);
    for (const id of ids) planner.join(id, 'live');
    clock.t = 1000;
    planner.distribute('head');
    const moved = planner.children('live', 'r2');
    expect(moved).toHaveLength(2);
    planner.leave(moved[1] ?? '', 'live');
    clock.t = 10_000;
    // head feeds two viewers and r2: no comfortable slot left until r2 is gone.
    const changes = planner.consolidate('r2');
    expect(changes.released).toEqual([{ streamId: 'live', nodeId: 'r2' }]);
    expect(parentOf(planner, moved[0] ?? '')).toBe('head');
    expect(edges(changes)[0]).toBe(`add head->${moved[0]}`);
    expect(planViolations(planner)).toEqual([]);
  });

  it('regroups for the forecast: keeps capacity the forecast needs and gives back the surplus', () => {
    const { planner, clock } = setup();
    relay(planner, 'head', 10_000);
    relay(planner, 'r2', 10_000);
    for (const id of ['a', 'b']) viewer(planner, id);
    planner.join('a', 'live');
    expect(planner.provision('live', 15).activated).toEqual([{ streamId: 'live', nodeId: 'r2' }]);
    clock.t = 2000;
    planner.join('b', 'live');
    expect(parentOf(planner, 'b')).toBe('r2'); // the deepest warm farm
    clock.t = 10_000;
    expect(planner.provision('live', 20).released).toEqual([]); // still needed
    expect(planner.consolidate('r2').released).toEqual([]); // the forecast needs it
    const changes = planner.provision('live', 2);
    expect(changes.released).toEqual([{ streamId: 'live', nodeId: 'r2' }]);
    expect(edges(changes)[0]).toBe('add head->b');
    expect(planner.activeRelays('live')).toEqual(['head']);
    expect(planViolations(planner)).toEqual([]);
  });

  it('does not flap a relay for a region without relays whose viewers the others have room for', () => {
    const { planner, clock } = setup();
    relay(planner, 'head', 10_000);
    relay(planner, 'r2', 10_000);
    for (const id of ['a', 'b']) viewer(planner, id);
    viewer(planner, 'tab', 'local');
    for (const id of ['a', 'b', 'tab']) planner.join(id, 'live');
    const history: string[] = [];
    for (let period = 1; period <= 6; period++) {
      clock.t = period * 5000;
      const changes = planner.provision('live', 3.5);
      history.push(`${changes.activated.length}+/${changes.released.length}-`);
    }
    // The head has room for the growth of both regions: nothing is activated or given back.
    expect(history).toEqual(['0+/0-', '0+/0-', '0+/0-', '0+/0-', '0+/0-', '0+/0-']);
    expect(planner.activeRelays('live')).toEqual(['head']);
    expect(planViolations(planner)).toEqual([]);
  });

  it('provisions warm relays ahead of the forecast, so new viewers do not wait', () => {
    const { planner, clock } = setup();
    for (let i = 0; i < 6; i++) relay(planner, `r${i}`, 4000);
    viewer(planner, 'first');
    planner.join('first', 'live');
    const changes = planner.provision('live', 12);
    expect(changes.activated.length).toBeGreaterThanOrEqual(3);
    clock.t = 5000;
    for (let i = 0; i < 10; i++) {
      viewer(planner, `v${i}`);
      planner.join(`v${i}`, 'live');
      const parent = parentOf(planner, `v${i}`);
      expect(parent && planner.isWarming('live', parent)).toBe(false);
    }
    expect(planViolations(planner)).toEqual([]);
  });

  it('spreads a farm round-robin or by least load, and reports its balance', () => {
    for (const farmPolicy of ['round-robin', 'least-load'] as const) {
      const { planner, clock } = setup({ farmPolicy });
      relay(planner, 'head', 40_000);
      for (const id of ['f1', 'f2']) relay(planner, id, 10_000, 'us');
      viewer(planner, 'seed', 'us');
      planner.join('seed', 'live');
      planner.provision('live', 20);
      clock.t = 5000;
      for (let i = 0; i < 10; i++) {
        viewer(planner, `v${i}`, 'us');
        planner.join(`v${i}`, 'live');
      }
      const farm = planner.farms('live').find((f) => f.tier === 2);
      expect(farm).toMatchObject({ region: 'us', children: 11 });
      expect(farm?.members.map((m) => m.id)).toEqual(['f1', 'f2']);
      expect(farm?.spread).toBeLessThanOrEqual(0.1 + 1e-9);
    }
  });

  it('re-parents the children of a dead head: its biggest relay child becomes the head', () => {
    const { planner, clock } = setup();
    relay(planner, 'head', 3000);
    relay(planner, 'r1', 2000);
    relay(planner, 'r2', 3000);
    const ids = Array.from({ length: 5 }, (_, i) => `v${i}`);
    for (const id of ids) viewer(planner, id);
    for (const id of ids) {
      planner.join(id, 'live');
      clock.t += 2000;
    }
    const changes = planner.removeNode('head');
    expect(planner.member('live', 'r2')).toMatchObject({ parent: null, tier: 1 });
    expect(edges(changes)).toContain('add origin->r2');
    expect(planner.originFanout('live')).toBeLessThanOrEqual(2);
    for (const id of ids) expect(planner.member('live', id)).toBeDefined();
    expect(planViolations(planner)).toEqual([]);
  });

  it('drains a relay make-before-break and avoids a failed parent for a while', () => {
    const { planner, clock } = setup({ failedParentExclusionMs: 1000 });
    relay(planner, 'r1', 3000);
    relay(planner, 'r2', 3000);
    for (const id of ['a', 'b']) viewer(planner, id);
    planner.join('a', 'live');
    clock.t = 2000;
    planner.provision('live', 3);
    clock.t = 4000;
    planner.join('b', 'live');
    const drained = planner.drain('r1');
    expect(planner.children('live', 'r1')).toEqual([]);
    expect(planner.member('live', 'r1')).toBeDefined(); // still fed until it leaves
    expect(edges(drained).indexOf('add origin->r2')).toBeLessThan(edges(drained).indexOf('remove r1->r2'));
    expect(planner.removeNode('r1').edges?.filter((e) => e.op === 'add')).toEqual([]);
    expect(parentOf(planner, 'a')).toBe('r2');
    expect(planner.parentFailed('a', 'live', 'r2').assignments[0]).toMatchObject({ origin: true });
    expect(() => planner.parentFailed('a', 'live', 'r2')).toThrow(
      expect.objectContaining({ kind: 'not-the-parent' }),
    );
    clock.t = 6000;
    planner.leave('b', 'live');
    expect(parentOf(planner, 'a')).toBe('r2'); // exclusion expired: adopted again
  });

  it('releases every relay of a stream when its last viewer leaves, and refuses bad requests', () => {
    const { planner } = setup();
    relay(planner, 'r1', 3000);
    viewer(planner, 'v');
    expect(() => planner.join('r1', 'live')).toThrow(expect.objectContaining({ kind: 'not-a-viewer' }));
    expect(() => planner.join('nobody', 'live')).toThrow(expect.objectContaining({ kind: 'unknown-node' }));
    expect(() => planner.join('v', 'nope')).toThrow(expect.objectContaining({ kind: 'unknown-stream' }));
    expect(() => planner.leave('v', 'live')).toThrow(expect.objectContaining({ kind: 'not-a-member' }));
    planner.join('v', 'live');
    expect(planner.join('v', 'live')).toEqual({ assignments: [], activated: [], released: [] });
    const changes = planner.leave('v', 'live');
    expect(changes.released.map((r) => r.nodeId).sort()).toEqual(['r1', 'v']);
    expect(planner.members('live')).toEqual([]);
    expect(planner.activeRelays()).toEqual([]);
    expect(planViolations(planner)).toEqual([]);
  });
});
