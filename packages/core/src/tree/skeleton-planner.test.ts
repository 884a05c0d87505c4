import { describe, expect, it } from 'vitest';
import { PlannerError } from './errors.ts';
import { planViolations } from './invariants.ts';
import { SkeletonPlanner } from './skeleton-planner.ts';
import type { PlanChanges } from './types.ts';

function setup(now = { t: 0 }) {
  const planner = new SkeletonPlanner({ now: () => now.t, failedParentExclusionMs: 1000 });
  planner.addStream({ id: 'live', bitrateKbps: 1000 });
  return { planner, now };
}

const parentOf = (p: SkeletonPlanner, s: string, id: string) => p.member(s, id)?.parent;
const assigned = (c: PlanChanges) =>
  c.assignments.map((a) => `${a.nodeId}<-${a.origin ? 'origin' : a.parents[0]?.id}`);

describe('SkeletonPlanner', () => {
  it('activates the relay with the most upload at tier 1 and the others under it when the first viewer joins', () => {
    const { planner } = setup();
    planner.addNode({ id: 'r-small', role: 'relay', uploadKbps: 5000 });
    planner.addNode({ id: 'r-big', role: 'relay', uploadKbps: 20_000 });
    planner.addNode({ id: 'v1', role: 'viewer', uploadKbps: 0 });
    const changes = planner.join('v1', 'live');
    expect(changes.activated.map((a) => a.nodeId)).toEqual(['r-big', 'r-small']);
    expect(assigned(changes).sort()).toEqual(['r-big<-origin', 'r-small<-r-big', 'v1<-r-big']);
    expect(planner.assignment('live', 'r-big')).toMatchObject({ origin: true, tier: 1, parents: [] });
    expect(planner.assignment('live', 'v1')).toMatchObject({
      origin: false,
      tier: 2,
      parents: [{ id: 'r-big', role: 'relay' }],
    });
    expect(planViolations(planner)).toEqual([]);
  });

  it('fills the node closest to the origin first, relays before viewers, earlier viewers first', () => {
    const { planner } = setup();
    planner.addNode({ id: 'r1', role: 'relay', uploadKbps: 2000 }); // two children
    for (const id of ['a', 'b', 'c', 'd']) planner.addNode({ id, role: 'viewer', uploadKbps: 1000 });
    planner.join('a', 'live');
    planner.join('b', 'live');
    planner.join('c', 'live');
    planner.join('d', 'live');
    expect(parentOf(planner, 'live', 'a')).toBe('r1');
    expect(parentOf(planner, 'live', 'b')).toBe('r1');
    expect(parentOf(planner, 'live', 'c')).toBe('a'); // tier 2, earliest viewer
    expect(parentOf(planner, 'live', 'd')).toBe('b'); // a is full (one child)
    expect(planViolations(planner)).toEqual([]);
  });

  it('sends a viewer to the origin when nobody has room, and later viewers under it', () => {
    const { planner } = setup();
    planner.addNode({ id: 'a', role: 'viewer', uploadKbps: 1500 });
    planner.addNode({ id: 'b', role: 'viewer', uploadKbps: 0 });
    planner.addNode({ id: 'c', role: 'viewer', uploadKbps: 0 });
    expect(planner.join('a', 'live').assignments).toEqual([
      { streamId: 'live', nodeId: 'a', parents: [], origin: true, tier: 1 },
    ]);
    expect(parentOf(planner, 'live', 'b')).toBeUndefined();
    planner.join('b', 'live');
    planner.join('c', 'live');
    expect(parentOf(planner, 'live', 'b')).toBe('a');
    expect(parentOf(planner, 'live', 'c')).toBeNull();
  });

  it('accounts a relay’s capacity across every stream it serves', () => {
    const { planner } = setup();
    planner.addStream({ id: 'vod', bitrateKbps: 2000 });
    planner.addNode({ id: 'r1', role: 'relay', uploadKbps: 4000 });
    for (const id of ['a', 'b', 'c']) planner.addNode({ id, role: 'viewer', uploadKbps: 0 });
    planner.join('a', 'vod'); // 2000 used
    planner.join('b', 'live'); // 3000 used
    planner.join('c', 'vod'); // would need 5000: goes to the origin
    expect(planner.loadKbps('r1')).toBe(3000);
    expect(parentOf(planner, 'vod', 'c')).toBeNull();
    expect(planViolations(planner)).toEqual([]);
  });

  it('re-parents the children of a removed node, promoting a tier-2 relay to tier 1', () => {
    const { planner } = setup();
    planner.addNode({ id: 'r1', role: 'relay', uploadKbps: 3000 });
    planner.addNode({ id: 'r2', role: 'relay', uploadKbps: 2000 });
    for (const id of ['a', 'b', 'c']) planner.addNode({ id, role: 'viewer', uploadKbps: 0 });
    for (const id of ['a', 'b', 'c']) planner.join(id, 'live');
    expect(parentOf(planner, 'live', 'r2')).toBe('r1');
    const changes = planner.removeNode('r1');
    expect(parentOf(planner, 'live', 'r2')).toBeNull();
    expect(assigned(changes)).toContain('r2<-origin');
    // r2 (two slots) already fed c; a (earlier) takes the free slot, b falls back to the origin.
    expect(parentOf(planner, 'live', 'c')).toBe('r2');
    expect(parentOf(planner, 'live', 'a')).toBe('r2');
    expect(parentOf(planner, 'live', 'b')).toBeNull();
    expect(assigned(changes).sort()).toEqual(['a<-r2', 'b<-origin', 'r2<-origin']);
    expect(planViolations(planner)).toEqual([]);
  });

  it('releases the relays of a stream when its last viewer leaves', () => {
    const { planner } = setup();
    planner.addNode({ id: 'r1', role: 'relay', uploadKbps: 3000 });
    planner.addNode({ id: 'r2', role: 'relay', uploadKbps: 3000 });
    planner.addNode({ id: 'v', role: 'viewer', uploadKbps: 0 });
    planner.join('v', 'live');
    const changes = planner.leave('v', 'live');
    expect(changes.released.map((r) => r.nodeId).sort()).toEqual(['r1', 'r2']);
    expect(changes.assignments).toEqual([]);
    expect(planner.members('live')).toEqual([]);
  });

  it('activates a relay that arrives while viewers pull from the origin, and moves them under it', () => {
    const { planner } = setup();
    planner.addNode({ id: 'a', role: 'viewer', uploadKbps: 0 });
    planner.addNode({ id: 'b', role: 'viewer', uploadKbps: 0 });
    planner.join('a', 'live');
    planner.join('b', 'live');
    const changes = planner.addNode({ id: 'r1', role: 'relay', uploadKbps: 5000 });
    expect(changes.activated).toEqual([{ streamId: 'live', nodeId: 'r1' }]);
    expect(assigned(changes).sort()).toEqual(['a<-r1', 'b<-r1', 'r1<-origin']);
  });

  it('drains a node: its children move first and it takes no new ones', () => {
    const { planner } = setup();
    planner.addNode({ id: 'r1', role: 'relay', uploadKbps: 3000 });
    planner.addNode({ id: 'r2', role: 'relay', uploadKbps: 3000 });
    for (const id of ['a', 'b', 'c']) planner.addNode({ id, role: 'viewer', uploadKbps: 0 });
    planner.join('a', 'live');
    planner.join('b', 'live');
    const changes = planner.drain('r1');
    expect(assigned(changes).sort()).toEqual(['a<-r2', 'b<-r2', 'r2<-origin']);
    expect(planner.children('live', 'r1')).toEqual([]);
    expect(parentOf(planner, 'live', 'r1')).toBeNull(); // still fed while it drains
    planner.join('c', 'live');
    expect(parentOf(planner, 'live', 'c')).toBe('r2');
    expect(planner.removeNode('r1').assignments).toEqual([]);
    expect(planViolations(planner)).toEqual([]);
  });

  it('avoids a failed parent for a while', () => {
    const { planner, now } = setup();
    planner.addNode({ id: 'r1', role: 'relay', uploadKbps: 3000 });
    planner.addNode({ id: 'a', role: 'viewer', uploadKbps: 2000 });
    planner.addNode({ id: 'b', role: 'viewer', uploadKbps: 0 });
    planner.join('a', 'live');
    planner.join('b', 'live');
    expect(parentOf(planner, 'live', 'b')).toBe('r1');
    expect(assigned(planner.parentFailed('b', 'live', 'r1'))).toEqual(['b<-a']);
    expect(() => planner.parentFailed('b', 'live', 'r1')).toThrow(PlannerError);
    planner.parentFailed('b', 'live', 'a');
    expect(parentOf(planner, 'live', 'b')).toBeNull(); // both avoided: the origin
    now.t = 5000;
    planner.leave('a', 'live');
    expect(parentOf(planner, 'live', 'b')).toBe('r1'); // exclusions expired: adopted by the relay
  });

  it('refuses unknown nodes and streams, relays that join, and changes nothing', () => {
    const { planner } = setup();
    planner.addNode({ id: 'r1', role: 'relay', uploadKbps: 3000 });
    expect(() => planner.join('nobody', 'live')).toThrow(expect.objectContaining({ kind: 'unknown-node' }));
    expect(() => planner.join('r1', 'nope')).toThrow(expect.objectContaining({ kind: 'unknown-stream' }));
    expect(() => planner.join('r1', 'live')).toThrow(expect.objectContaining({ kind: 'not-a-viewer' }));
    expect(() => planner.leave('r1', 'live')).toThrow(expect.objectContaining({ kind: 'not-a-member' }));
    expect(() => planner.addNode({ id: 'r1', role: 'relay', uploadKbps: 1 })).toThrow(
      expect.objectContaining({ kind: 'duplicate-node' }),
    );
    expect(planner.members('live')).toEqual([]);
  });

  it('releases every member when a stream is removed', () => {
    const { planner } = setup();
    planner.addNode({ id: 'r1', role: 'relay', uploadKbps: 3000 });
    planner.addNode({ id: 'v', role: 'viewer', uploadKbps: 0 });
    planner.join('v', 'live');
    const changes = planner.removeStream('live');
    expect(changes.released.map((r) => r.nodeId).sort()).toEqual(['r1', 'v']);
    expect(planner.streamsOf('v')).toEqual([]);
  });

  it('keeps every invariant through a long random sequence of joins, leaves, failures and drains', () => {
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const now = { t: 0 };
    const planner = new SkeletonPlanner({ now: () => now.t, failedParentExclusionMs: 500 });
    const streams = ['s0', 's1', 's2'];
    streams.forEach((id, i) => planner.addStream({ id, bitrateKbps: 500 * (i + 1) }));
    const alive: string[] = [];
    for (let step = 0; step < 3000; step++) {
      now.t += 10;
      const op = rand(10);
      const node = alive[rand(Math.max(alive.length, 1))];
      const stream = streams[rand(streams.length)] ?? 's0';
      if (op < 3 || !node) {
        const id = `n${step}`;
        const role = rand(5) === 0 ? 'relay' : 'viewer';
        planner.addNode({ id, role, uploadKbps: role === 'relay' ? 1000 * rand(20) : 500 * rand(6) });
        alive.push(id);
      } else if (op < 6) {
        if (planner.node(node)?.role === 'viewer') planner.join(node, stream);
      } else if (op < 7) {
        if (planner.member(stream, node)) planner.leave(node, stream);
      } else if (op < 8) {
        const parent = planner.member(stream, node)?.parent;
        if (parent) planner.parentFailed(node, stream, parent);
      } else if (op < 9) {
        if (planner.streamsOf(node).length > 0) planner.drain(node);
        planner.removeNode(node);
        alive.splice(alive.indexOf(node), 1);
      } else {
        planner.removeNode(node);
        alive.splice(alive.indexOf(node), 1);
      }
      const problems = planViolations(planner);
      if (problems.length > 0) throw new Error(`step ${step}: ${problems.join('; ')}`);
    }
    expect(alive.length).toBeGreaterThan(0);
  });

  it('reports only nodes whose parent changed', () => {
    const { planner } = setup();
    planner.addNode({ id: 'r1', role: 'relay', uploadKbps: 5000 });
    planner.addNode({ id: 'a', role: 'viewer', uploadKbps: 0 });
    planner.addNode({ id: 'b', role: 'viewer', uploadKbps: 0 });
    planner.join('a', 'live');
    expect(assigned(planner.join('b', 'live'))).toEqual(['b<-r1']);
    expect(planner.join('b', 'live')).toEqual({ assignments: [], activated: [], released: [] });
  });
});
