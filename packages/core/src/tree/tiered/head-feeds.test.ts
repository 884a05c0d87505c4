import { describe, expect, it } from 'vitest';
import { planViolations } from '../invariants.ts';
import { sharedInteriors } from '../shape.ts';
import { TieredPlanner } from '../tiered-planner.ts';
import type { PlanChanges } from '../types.ts';
import type { TieredPlannerOptions } from './options.ts';

function setup(options: Partial<TieredPlannerOptions> = {}) {
  const clock = { t: 0 };
  const planner = new TieredPlanner({
    now: () => clock.t,
    warmupMs: 1000,
    minActiveMs: 5000,
    stripes: 2,
    minTabFanout: 0,
    ...options,
  });
  planner.addStream({ id: 'live', bitrateKbps: 1000, region: 'eu' });
  return { planner, clock };
}

const relay = (p: TieredPlanner, id: string, uploadKbps: number, region = 'eu') =>
  p.addNode({ id, role: 'relay', uploadKbps, region });
const viewer = (p: TieredPlanner, id: string) =>
  p.addNode({ id, role: 'viewer', uploadKbps: 0, region: 'eu' });
const head = (p: TieredPlanner, stripe: number) =>
  p.members('live').find((m) => p.stripeParent('live', stripe, m.id) === null && m.role === 'relay')?.id;
const edges = (c: PlanChanges) =>
  (c.edges ?? []).map((e) => `${e.op} ${e.from ?? 'origin'}->${e.to}/${e.stripe}`);

/** Two stripes, four relays, three viewers: a head per stripe, the stripe-1 head fed by stripe 0's. */
function fedWorld(options: Partial<TieredPlannerOptions> = {}) {
  const w = setup(options);
  relay(w.planner, 'big', 8000);
  for (const id of ['r1', 'r2', 'r3']) relay(w.planner, id, 4000);
  for (const id of ['a', 'b', 'c']) viewer(w.planner, id);
  for (const id of ['a', 'b', 'c']) w.planner.join(id, 'live');
  return w;
}

describe('head feeds', () => {
  it('feeds the head of stripe 1 from stripe 0’s head, so the origin sends one copy', () => {
    const { planner } = fedWorld();
    const h0 = head(planner, 0);
    const h1 = head(planner, 1);
    expect(h0).toBe('big');
    expect(h1).toBeDefined();
    expect(h1).not.toBe(h0);
    // A leaf of stripe 0 under its head, interior in stripe 1 only.
    expect(planner.stripeParent('live', 0, h1 ?? '')).toBe(h0);
    expect(planner.stripeChildren('live', 0, h1 ?? '')).toEqual([]);
    expect(planner.headFeeder('live', h1 ?? '')).toBe(h0);
    expect(planner.assignment('live', h1 ?? '')).toMatchObject({
      parents: [{ id: h0, role: 'relay' }],
      origin: false,
    });
    expect(planner.assignment('live', h0 ?? '')).toMatchObject({ parents: [], origin: true });
    expect(planner.originCopies('live')).toBe(1);
    expect(sharedInteriors(planner, 'live')).toEqual([]);
    expect(planViolations(planner)).toEqual([]);
  });

  it('tells a new head its feed in the same change that makes it head', () => {
    const { planner } = setup();
    relay(planner, 'big', 8000);
    relay(planner, 'r1', 4000);
    viewer(planner, 'a');
    const changes = planner.join('a', 'live');
    expect(edges(changes).sort()).toEqual(
      ['add origin->big/0', 'add origin->r1/1', 'add big->r1/0', 'add big->a/0', 'add r1->a/1'].sort(),
    );
    expect(changes.assignments).toContainEqual(
      expect.objectContaining({ nodeId: 'r1', origin: false, parents: [{ id: 'big', role: 'relay' }] }),
    );
  });

  it('re-feeds a head from another stripe-0 relay when its feeder dies', () => {
    const { planner, clock } = fedWorld();
    const h1 = head(planner, 1) ?? '';
    clock.t = 3000;
    const changes = planner.removeNode('big');
    const feeder = planner.headFeeder('live', h1);
    expect(feeder).toBeDefined();
    expect(feeder).not.toBe(h1);
    expect(planner.stripeParent('live', 1, h1)).toBeNull();
    expect(changes.assignments).toContainEqual(expect.objectContaining({ nodeId: h1, origin: false }));
    expect(planner.originCopies('live')).toBe(1);
    expect(sharedInteriors(planner, 'live')).toEqual([]);
    expect(planViolations(planner)).toEqual([]);
  });

  it('moves a fed head away from a feeder it reports as failed, make before break', () => {
    const { planner, clock } = setup();
    relay(planner, 'big', 2500); // five stripe children
    relay(planner, 'h', 2500);
    relay(planner, 'r0', 2000);
    for (const id of ['a', 'b', 'c', 'd', 'e']) viewer(planner, id);
    for (const id of ['a', 'b', 'c', 'd', 'e']) {
      planner.join(id, 'live');
      clock.t += 2000;
    }
    expect(planner.headFeeder('live', 'h')).toBe('big');
    expect(planner.stripeParent('live', 0, 'r0')).toBe('big');
    const changes = planner.parentFailed('h', 'live', 'big');
    expect(planner.headFeeder('live', 'h')).toBe('r0');
    const e = edges(changes);
    expect(e).toContain('remove big->h/0');
    expect(e.indexOf('add r0->h/0')).toBeLessThan(e.indexOf('remove big->h/0'));
    expect(planner.assignment('live', 'h')).toMatchObject({ origin: false, parents: [{ id: 'r0' }] });
    expect(planViolations(planner)).toEqual([]);
  });

  it('moves a fed head off a draining feeder, make before break', () => {
    const { planner, clock } = fedWorld();
    const h1 = head(planner, 1) ?? '';
    clock.t = 3000;
    const changes = planner.drain('big');
    const feeder = planner.headFeeder('live', h1) ?? '';
    expect(['r1', 'r2', 'r3']).toContain(feeder);
    expect(feeder).not.toBe(h1);
    const e = edges(changes);
    expect(e.indexOf(`add ${feeder}->${h1}/0`)).toBeGreaterThanOrEqual(0);
    expect(e.indexOf(`add ${feeder}->${h1}/0`)).toBeLessThan(e.indexOf(`remove big->${h1}/0`));
    // Until the drained head leaves, it and its successor are both fed by the origin.
    expect(planner.originCopies('live')).toBe(2);
    planner.removeNode('big');
    expect(planner.headFeeder('live', h1)).toBe(feeder);
    expect(planner.originCopies('live')).toBe(1);
    expect(planViolations(planner)).toEqual([]);
  });

  it('drops the feed of a relay that stops heading a stripe, and releases it', () => {
    const { planner, clock } = fedWorld();
    const h1 = head(planner, 1) ?? '';
    clock.t = 3000;
    // The head drains: its viewers move to a new stripe-1 head, which gets its own feed.
    planner.drain(h1);
    const h1b = planner
      .members('live')
      .find((m) => m.id !== h1 && m.role === 'relay' && planner.stripeParent('live', 1, m.id) === null)?.id;
    expect(h1b).toBeDefined();
    expect(planner.headFeeder('live', h1b ?? '')).toBeDefined();
    planner.removeNode(h1);
    expect(planner.streamsOf(h1)).toEqual([]);
    expect(planner.originCopies('live')).toBe(1);
    expect(planViolations(planner)).toEqual([]);
  });

  it('releases a consolidated stripe-1 head from stripe 0 too, leaving nothing dangling', () => {
    const { planner, clock } = setup({ minActiveMs: 1000 });
    relay(planner, 'big', 8000);
    relay(planner, 'h', 2000); // four stripe children
    relay(planner, 'spare', 1500);
    const ids = ['a', 'b', 'c', 'd', 'e'];
    for (const id of ids) viewer(planner, id);
    for (const id of ids) {
      planner.join(id, 'live');
      clock.t += 2000;
    }
    expect(planner.headFeeder('live', 'h')).toBe('big');
    expect(planner.stripeParent('live', 1, 'spare')).toBe('h');
    for (const id of ['b', 'c', 'd', 'e']) planner.leave(id, 'live');
    clock.t += 10_000;
    const changes = planner.consolidate('h');
    expect(changes.released).toContainEqual({ streamId: 'live', nodeId: 'h' });
    expect(planner.streamsOf('h')).toEqual([]);
    expect(planner.stripeParent('live', 0, 'h')).toBeUndefined();
    // The relay that took over stripe 1 is fed in its turn.
    expect(planner.stripeParent('live', 1, 'spare')).toBeNull();
    expect(planner.headFeeder('live', 'spare')).toBe('big');
    expect(planner.originCopies('live')).toBe(1);
    expect(planViolations(planner)).toEqual([]);
  });

  it('feeds a head from the origin only while stripe 0 has no room for it, and chains it again', () => {
    const { planner, clock } = fedWorld({ failedParentExclusionMs: 3000 });
    const h1 = head(planner, 1) ?? '';
    // big is stripe 0's only relay: once h1 avoids it, only the origin is left.
    const failed = planner.parentFailed(h1, 'live', 'big');
    expect(planner.headFeeder('live', h1)).toBeUndefined();
    expect(planner.stripeParent('live', 0, h1)).toBeUndefined();
    expect(failed.assignments).toContainEqual(
      expect.objectContaining({ nodeId: h1, origin: true, parents: [] }),
    );
    expect(planner.originCopies('live')).toBe(2);
    expect(planViolations(planner)).toEqual([]);
    clock.t = 4000;
    // The next operation, whatever it is, feeds it again.
    const later = viewer(planner, 'd');
    expect(planner.headFeeder('live', h1)).toBe('big');
    expect(later.assignments).toContainEqual(expect.objectContaining({ nodeId: h1, origin: false }));
    expect(planner.originCopies('live')).toBe(1);
    expect(planViolations(planner)).toEqual([]);
  });

  it('lets a new head take a viewer’s place under stripe 0’s head when it is full', () => {
    const { planner, clock } = setup();
    relay(planner, 'big', 3000); // six stripe children
    relay(planner, 'h', 2000);
    relay(planner, 'h2', 1500);
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    for (const id of ids) viewer(planner, id);
    for (const id of ids) {
      planner.join(id, 'live');
      clock.t += 2000;
    }
    expect(planner.headFeeder('live', 'h')).toBe('big');
    expect(planner.stripeParent('live', 1, 'h2')).toBe('h');
    planner.removeNode('h');
    // h2 heads stripe 1 now; big is full of viewers: h2 takes one's place, the viewer goes on.
    expect(planner.stripeParent('live', 1, 'h2')).toBeNull();
    expect(planner.headFeeder('live', 'h2')).toBe('big');
    expect(planner.assignment('live', 'h2')).toMatchObject({ origin: false });
    // One copy for big; the viewers the origin feeds (stripe 1 is short of room) half a copy each.
    const viewerStripes = planner
      .edges('live')
      .filter((e) => e.from === null && planner.node(e.to)?.role === 'viewer');
    expect(planner.originCopies('live')).toBe(1 + viewerStripes.length / 2);
    expect(sharedInteriors(planner, 'live')).toEqual([]);
    expect(planViolations(planner)).toEqual([]);
  });

  it('never feeds a head from a relay it feeds itself in its own stripe', () => {
    const { planner, clock } = setup({ stripes: 2 });
    relay(planner, 'big', 8000);
    relay(planner, 'h', 8000);
    viewer(planner, 'a');
    planner.join('a', 'live');
    clock.t = 3000;
    // Every check of the plan: the feeder and those above it are not in the head's stripe.
    const h1 = head(planner, 1) ?? '';
    let p = planner.headFeeder('live', h1) ?? null;
    while (p !== null) {
      expect(planner.stripeParent('live', 1, p)).toBeUndefined();
      p = planner.stripeParent('live', 0, p) ?? null;
    }
  });

  it('releases fed heads with the rest when the last viewer leaves', () => {
    const { planner } = fedWorld();
    const h1 = head(planner, 1) ?? '';
    planner.leave('a', 'live');
    planner.leave('b', 'live');
    const changes = planner.leave('c', 'live');
    expect(changes.released).toContainEqual({ streamId: 'live', nodeId: h1 });
    expect(planner.members('live')).toEqual([]);
    expect(planner.originCopies('live')).toBe(0);
  });
});
