import { describe, expect, it } from 'vitest';
import { planViolations } from './invariants.ts';
import { planShape, sharedInteriors } from './shape.ts';
import { TieredPlanner } from './tiered-planner.ts';
import { seededRandom } from './tiered/options.ts';

const REGIONS = ['eu', 'us', 'ap'];

interface World {
  planner: TieredPlanner;
  clock: { t: number };
  rand: () => number;
  pick: <T>(items: readonly T[]) => T | undefined;
  relays: string[];
  viewers: string[];
  nextId: number;
}

function world(seed: number, streams: Array<{ id: string; bitrateKbps: number; stripes: number }>): World {
  const clock = { t: 0 };
  const rand = seededRandom(seed);
  const planner = new TieredPlanner({
    now: () => clock.t,
    random: seededRandom(seed + 1),
    warmupMs: 500,
    minActiveMs: 2000,
    failedParentExclusionMs: 3000,
    farmPolicy: seed % 2 === 0 ? 'least-load' : 'round-robin',
    regionRttMs: (a, b) => (a === b ? 10 : a === 'ap' || b === 'ap' ? 200 : 80),
  });
  for (const s of streams) planner.addStream({ ...s, region: 'eu' });
  const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(rand() * items.length)];
  return { planner, clock, rand, pick, relays: [], viewers: [], nextId: 0 };
}

function addRelay(w: World, uploadKbps: number): void {
  const id = `r${w.nextId++}`;
  w.planner.addNode({ id, role: 'relay', uploadKbps, region: w.pick(REGIONS) ?? 'eu' });
  w.relays.push(id);
}

function addViewer(w: World, uploadKbps: number): string {
  const id = `v${w.nextId++}`;
  w.planner.addNode({ id, role: 'viewer', uploadKbps, region: w.pick(REGIONS) ?? 'eu' });
  w.viewers.push(id);
  return id;
}

function kill(w: World, list: string[], id: string): void {
  w.planner.removeNode(id);
  list.splice(list.indexOf(id), 1);
}

/** Distribute and consolidate requests, as relays send them when their load crosses a mark. */
function thresholds(w: World): void {
  for (const id of w.relays) {
    const state = w.planner.thresholdState(id);
    if (state === 'distribute') w.planner.distribute(id);
    else if (state === 'consolidate' && w.rand() < 0.3) w.planner.consolidate(id);
  }
}

/**
 * Heads fed through stripe 0: each heads a stripe other than 0, is a childless leaf of stripe 0
 * under a relay none of whose stripe-0 ancestors (stripe 0's head aside) is in its own stripes, and is told
 * `origin: false`; every relay told `origin: true` is a whole origin copy.
 */
function headFeedProblems(planner: TieredPlanner): string[] {
  const problems: string[] = [];
  for (const streamId of planner.streamIds()) {
    const k = planner.stripeCount(streamId);
    let relayCopies = 0;
    let viewerStripes = 0;
    for (const m of planner.members(streamId)) {
      const a = planner.assignment(streamId, m.id);
      if (m.role === 'viewer') {
        viewerStripes += (m.stripes ?? []).filter((p) => p.parent === null).length;
        continue;
      }
      if (a?.origin) relayCopies++;
      const feeder = planner.headFeeder(streamId, m.id);
      if (feeder === undefined) continue;
      const mine = (m.stripes ?? []).filter((p) => p.stripe > 0).map((p) => p.stripe);
      if (!mine.some((s) => planner.stripeParent(streamId, s, m.id) === null))
        problems.push(`${streamId}: ${m.id} is fed through stripe 0 but heads no stripe`);
      if (planner.stripeChildren(streamId, 0, m.id).length > 0)
        problems.push(`${streamId}: fed head ${m.id} has children in stripe 0`);
      if (planner.node(feeder)?.role !== 'relay') problems.push(`${streamId}: ${m.id} fed by ${feeder}`);
      if (a?.origin !== false) problems.push(`${streamId}: fed head ${m.id} is told origin`);
      // Up to stripe 0's head, which the origin feeds.
      for (
        let p = feeder;
        planner.stripeParent(streamId, 0, p);
        p = planner.stripeParent(streamId, 0, p) ?? ''
      ) {
        if (mine.some((s) => planner.stripeParent(streamId, s, p) !== undefined))
          problems.push(`${streamId}: ${m.id} is fed through ${p}, which is in its stripes`);
      }
    }
    const copies = relayCopies + viewerStripes / k;
    if (Math.abs(copies - planner.originCopies(streamId)) > 1e-9)
      problems.push(
        `${streamId}: originCopies ${planner.originCopies(streamId)} but assignments say ${copies}`,
      );
  }
  return problems;
}

function check(w: World, step: number): void {
  const problems = [...planViolations(w.planner), ...headFeedProblems(w.planner)];
  if (problems.length > 0) throw new Error(`step ${step}: ${problems.slice(0, 5).join('; ')}`);
}

describe('TieredPlanner (properties)', () => {
  it('keeps every invariant through random joins, leaves, deaths, failures, distributes and consolidations', () => {
    for (const seed of [1, 2, 3, 4]) {
      const streams = [
        { id: 's-one', bitrateKbps: 800, stripes: 1 },
        { id: 's-two', bitrateKbps: 1200, stripes: 2 },
        { id: 's-four', bitrateKbps: 2000, stripes: 4 },
      ];
      const w = world(seed, streams);
      for (let step = 0; step < 1200; step++) {
        w.clock.t += 50;
        const op = w.rand();
        const stream = w.pick(streams)?.id ?? 's-one';
        const v = w.pick(w.viewers);
        if (op < 0.08) addRelay(w, 1000 * Math.floor(1 + w.rand() * 12));
        else if (op < 0.3) {
          const id = addViewer(w, w.rand() < 0.3 ? 500 * Math.floor(w.rand() * 8) : 0);
          w.planner.join(id, stream);
        } else if (op < 0.45 && v) {
          w.planner.join(v, stream);
        } else if (op < 0.58 && v) {
          if (w.planner.member(stream, v)) w.planner.leave(v, stream);
        } else if (op < 0.63 && w.relays.length > 0) {
          kill(w, w.relays, w.pick(w.relays) ?? '');
        } else if (op < 0.68 && v) {
          kill(w, w.viewers, v);
        } else if (op < 0.74 && v) {
          const parent = w.planner.member(stream, v)?.parent;
          if (parent) w.planner.parentFailed(v, stream, parent);
        } else if (op < 0.78 && w.relays.length > 0) {
          const r = w.pick(w.relays) ?? '';
          w.planner.drain(r);
          check(w, step);
          kill(w, w.relays, r);
        } else if (op < 0.85) {
          w.planner.provision(stream, w.planner.viewerCount(stream) * (1 + w.rand()));
        } else {
          thresholds(w);
        }
        check(w, step);
      }
      expect(w.viewers.length).toBeGreaterThan(10);
    }
  }, 120_000);

  it('with ample relays: one origin copy per stream, disjoint stripe interiors, depth within ⌈log_f N⌉ + 1', () => {
    for (const seed of [11, 12, 13]) {
      const streams = [
        { id: 'big', bitrateKbps: 1000, stripes: 2 },
        { id: 'small', bitrateKbps: 1500, stripes: 4 },
      ];
      const w = world(seed, streams);
      for (let i = 0; i < 150; i++) addRelay(w, 8000 + 4000 * Math.floor(w.rand() * 4));
      for (let step = 0; step < 1000; step++) {
        w.clock.t += 100;
        const op = w.rand();
        const stream = w.rand() < 0.75 ? 'big' : 'small';
        const v = w.pick(w.viewers);
        if (op < 0.55) w.planner.join(addViewer(w, 0), stream);
        else if (op < 0.7 && v) kill(w, w.viewers, v);
        else if (op < 0.74 && w.relays.length > 0) {
          kill(w, w.relays, w.pick(w.relays) ?? '');
          addRelay(w, 12_000);
        } else if (op < 0.8) w.planner.provision(stream, w.planner.viewerCount(stream) * 1.2);
        else thresholds(w);
        check(w, step);
        for (const s of streams) {
          if (w.planner.viewerCount(s.id) === 0) continue;
          // One root per stripe; the origin feeds one of them, stripe 0's: one copy.
          expect(w.planner.originFanout(s.id), `step ${step} ${s.id} roots`).toBe(s.stripes);
          expect(w.planner.originCopies(s.id), `step ${step} ${s.id} origin`).toBe(1);
          expect(sharedInteriors(w.planner, s.id), `step ${step} ${s.id} interiors`).toEqual([]);
          for (const shape of planShape(w.planner, s.id)) {
            expect(shape.maxDepth, `step ${step} ${s.id}/${shape.stripe}`).toBeLessThanOrEqual(
              shape.depthBound,
            );
            // A fed head hangs right under stripe 0's head: its stripe is one hop further down.
            expect(shape.feedHops, `step ${step} ${s.id}/${shape.stripe} feed`).toBe(
              shape.stripe > 0 ? 1 : 0,
            );
          }
        }
      }
      expect(w.planner.viewerCount('big')).toBeGreaterThan(200);
    }
  }, 120_000);
});
