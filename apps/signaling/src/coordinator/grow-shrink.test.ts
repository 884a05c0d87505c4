import { AdminSnapshotSchema, planViolations, type ServerMessage } from '@p2pcdn/core';
import { describe, expect, it } from 'vitest';
import { stateDigest } from './digest.ts';
import { adminSnapshot } from './snapshot.ts';
import { world, type Peer } from './test-world.ts';

/** A head relay feeding eight viewers (load 0.8 of 10 000 kbit/s at 1000 kbit/s each) and a spare relay. */
function loaded(settings: Parameters<typeof world>[0] = {}) {
  const w = world({ ...settings, planner: { minActiveMs: 5000, forecast: false, ...settings.planner } });
  const head = w.connect('relay', 10_000, 'head');
  const spare = w.connect('relay', 10_000, 'spare');
  const viewers: Peer[] = [];
  for (let i = 0; i < 8; i++) {
    const v = w.connect('viewer', 0, `v${i}`);
    v.send({ type: 'join', streamId: 'live' });
    viewers.push(v);
  }
  for (const p of [head, spare, ...viewers]) p.link.inbox.length = 0;
  return { ...w, head, spare, viewers };
}

const parentsOf = (p: Peer): Array<Extract<ServerMessage, { type: 'parents' }>> => p.link.take('parents');

describe('distribute and consolidate', () => {
  it('distributes an overloaded relay onto a newly activated one, logging every step', async () => {
    const { c, clock, head, spare, viewers } = loaded();
    await clock.advance(1000);
    expect(head.send({ type: 'distribute', streamId: 'live', load: 0.85 })).toEqual({ changed: true });
    // The spare relay is activated under the head and three viewers move to it.
    expect(parentsOf(spare)).toEqual([
      expect.objectContaining({ parents: [{ id: head.id, role: 'relay' }], origin: false }),
    ]);
    const moved = viewers.filter((v) => parentsOf(v).some((m) => m.parents.some((p) => p.id === spare.id)));
    expect(moved).toHaveLength(3);
    expect(c.planner.children('live', spare.id).sort()).toEqual(moved.map((v) => v.id).sort());
    const kinds = c.events.recent().map((e) => e.kind);
    expect(kinds.slice(-5)).toEqual(['distribute', 'activate', 'reparent', 'reparent', 'reparent']);
    expect(c.events.recent().find((e) => e.kind === 'distribute')?.message).toMatch(
      /head at load 0.85 distributed 3 child\(ren\) in live, activating spare/,
    );
    expect(planViolations(c.planner)).toEqual([]);
    // The admin snapshot shows two tiers of relays and their loads.
    const snapshot = adminSnapshot(c, () => undefined);
    expect(AdminSnapshotSchema.safeParse(snapshot).success).toBe(true);
    expect(snapshot.members?.find((m) => m.nodeId === spare.id)).toMatchObject({
      tier: 2,
      watching: false,
      load: 0.3,
      farm: 't2:local',
    });
    expect(snapshot.members?.find((m) => m.nodeId === head.id)).toMatchObject({ tier: 1, load: 0.6 });
    expect(snapshot.planner).toEqual({
      planner: 'tiered',
      highWater: 0.8,
      lowWater: 0.2,
      farmPolicy: 'least-load',
      stripes: 1,
      forecast: false,
    });
  });

  it('consolidates a relay whose viewers left: its children move first, then it is released', async () => {
    const { c, clock, head, spare, viewers } = loaded();
    head.send({ type: 'distribute', streamId: 'live', load: 0.9 });
    const moved = viewers.filter((v) => c.planner.member('live', v.id)?.parent === spare.id);
    // One of the eight viewers leaves: the audience is still there.
    await (moved[2] as Peer).send({ type: 'leave', streamId: 'live' });
    for (const p of [head, spare, ...viewers]) p.link.inbox.length = 0;
    // Too fresh: declined, nothing changes but the log.
    expect(spare.send({ type: 'consolidate', streamId: 'live', load: 0.2 })).toEqual({ changed: false });
    expect(c.planner.member('live', spare.id)).toBeDefined();
    await clock.advance(5000);
    expect(spare.send({ type: 'consolidate', streamId: 'live', load: 0.2 })).toEqual({ changed: true });
    const staying = moved.slice(0, 2);
    for (const v of staying) {
      expect(parentsOf(v)).toEqual([expect.objectContaining({ parents: [{ id: head.id, role: 'relay' }] })]);
    }
    expect(c.planner.member('live', spare.id)).toBeUndefined();
    // Make before break: the relay keeps serving until its children confirmed the new parent.
    await clock.flush();
    expect(spare.link.take('release')).toEqual([]);
    staying[0]?.send({ type: 'connected', streamId: 'live', parentId: head.id });
    await clock.flush();
    expect(spare.link.take('release')).toEqual([]);
    staying[1]?.send({ type: 'connected', streamId: 'live', parentId: head.id });
    await clock.flush();
    expect(spare.link.take('release')).toEqual([{ type: 'release', streamId: 'live' }]);
    const kinds = c.events.recent().map((e) => e.kind);
    expect(kinds).toContain('consolidate');
    expect(kinds.slice(-4).sort()).toEqual(['consolidate', 'deactivate', 'reparent', 'reparent']);
    expect(planViolations(c.planner)).toEqual([]);
  });

  it('consolidates a fresh relay at once when most of the audience left', async () => {
    const { c, clock, head, spare, viewers } = loaded();
    head.send({ type: 'distribute', streamId: 'live', load: 0.9 });
    const moved = viewers.filter((v) => c.planner.member('live', v.id)?.parent === spare.id);
    const [kept, ...leaving] = moved as [Peer, ...Peer[]];
    // Four of the eight leave, two of them from the relay activated a moment ago.
    for (const v of [...leaving, ...viewers.filter((v) => !moved.includes(v)).slice(0, 2)]) {
      await v.send({ type: 'leave', streamId: 'live' });
    }
    await clock.advance(1000);
    expect(spare.send({ type: 'consolidate', streamId: 'live', load: 0.1 })).toEqual({ changed: true });
    expect(c.planner.member('live', kept.id)?.parent).toBe(head.id);
    kept.send({ type: 'connected', streamId: 'live', parentId: head.id });
    await clock.flush();
    expect(spare.link.take('release')).toEqual([{ type: 'release', streamId: 'live' }]);
    expect(c.events.recent().find((e) => e.kind === 'consolidate')?.message).toMatch(
      /spare at load 0.10 consolidated away from live: 1 child\(ren\) moved first/,
    );
    expect(planViolations(c.planner)).toEqual([]);
  });

  it('refuses unauthorised and implausible requests with a code, changing nothing', async () => {
    const { c, clock, head, spare, viewers, connect } = loaded();
    const idle = connect('relay', 10_000, 'idle');
    const v = viewers[0] as Peer;
    await clock.advance(1000);
    const before = stateDigest(c);
    const cases: Array<[Peer, unknown, string]> = [
      // A viewer claiming to consolidate a stream it watches but does not serve.
      [v, { type: 'consolidate', streamId: 'live', load: 0 }, 'forbidden'],
      // A relay not in the tree.
      [idle, { type: 'consolidate', streamId: 'live', load: 0 }, 'forbidden'],
      // Feeding no child: nothing to distribute.
      [v, { type: 'distribute', streamId: 'live', load: 1 }, 'forbidden'],
      [spare, { type: 'distribute', streamId: 'live', load: 1 }, 'forbidden'],
      // Loads that contradict the request.
      [head, { type: 'distribute', streamId: 'live', load: 0.5 }, 'conflict'],
      [head, { type: 'consolidate', streamId: 'live', load: 0.5 }, 'conflict'],
      [head, { type: 'distribute', streamId: 'nope', load: 0.9 }, 'unknown-stream'],
    ];
    for (const [peer, msg, kind] of cases) {
      expect(() => peer.send(msg as never), JSON.stringify(msg)).toThrow(expect.objectContaining({ kind }));
    }
    expect(stateDigest(c)).toEqual(before);
    for (const p of [head, spare, ...viewers]) expect(p.link.inbox).toEqual([]);
  });

  it('accepts one request per heartbeat interval from a node; a flood is refused without effect', async () => {
    const { c, clock, head } = loaded();
    expect(head.send({ type: 'distribute', streamId: 'live', load: 0.85 })).toEqual({ changed: true });
    const after = stateDigest(c);
    for (let i = 0; i < 20; i++) {
      expect(() => head.send({ type: 'distribute', streamId: 'live', load: 0.99 })).toThrow(
        expect.objectContaining({ kind: 'rate-limited' }),
      );
    }
    expect(stateDigest(c)).toEqual(after);
    await clock.advance(1000);
    expect(head.send({ type: 'distribute', streamId: 'live', load: 0.85 })).toEqual({ changed: false });
  });

  it('tells nodes the load marks in the welcome, and refuses growth under the skeleton planner', () => {
    const tiered = world({ planner: { highWater: 0.7, lowWater: 0.1 } });
    const link = tiered.connect('relay', 1000);
    expect(tiered.c.tiered).toBeDefined();
    void link;
    const skeleton = world({ planner: { kind: 'skeleton' } });
    expect(skeleton.c.tiered).toBeUndefined();
    const r = skeleton.connect('relay', 10_000);
    const v = skeleton.connect('viewer', 0);
    v.send({ type: 'join', streamId: 'live' });
    const before = stateDigest(skeleton.c);
    expect(() => r.send({ type: 'distribute', streamId: 'live', load: 0.9 })).toThrow(
      expect.objectContaining({ kind: 'conflict' }),
    );
    expect(stateDigest(skeleton.c)).toEqual(before);
    expect(adminSnapshot(skeleton.c, () => undefined).planner).toMatchObject({
      planner: 'skeleton',
      forecast: false,
    });
  });
});
