import { SetupTimeEstimator, type StreamId } from '@p2pcdn/core';
import { describe, expect, it } from 'vitest';
import { ParentTracker, type AssignmentView } from './parent-tracker.ts';

const S: StreamId = 'demo-live';

function setup() {
  let now = 0;
  let assignment: AssignmentView | undefined;
  let connected = false;
  const measured: number[] = [];
  const estimator = new SetupTimeEstimator({ typicalMs: 500 });
  const tracker = new ParentTracker({
    now: () => now,
    assignment: () => assignment,
    hasParents: () => connected,
    estimator,
    onSetupMeasured: (ms) => measured.push(ms),
  });
  let changes = 0;
  tracker.onChange(() => changes++);
  return {
    tracker,
    estimator,
    measured,
    at: (ms: number) => (now = ms),
    agentKnows: (parents: string[], origin: boolean) => (assignment = { parents, origin }),
    assign: (parents: string[], origin = false) => {
      assignment = { parents, origin };
      tracker.assigned(S, parents);
    },
    connect: (on: boolean) => (connected = on),
    changes: () => changes,
  };
}

describe('ParentTracker', () => {
  it('knows of no parent before the join, and awaits an assignment once it was sent', () => {
    const t = setup();
    expect(t.tracker.readiness(S)).toEqual({ state: 'none' });
    t.at(40);
    t.tracker.joining(S);
    expect(t.tracker.readiness(S)).toEqual({ state: 'assigning', sinceMs: 40 });
    expect(t.changes()).toBe(1);
  });

  it('awaits the assignment after the join was acknowledged, before the agent knows parents', () => {
    const t = setup();
    t.at(40);
    t.tracker.joining(S);
    // The join's ack gives the agent the stream without parents; the parents message follows.
    t.agentKnows([], false);
    expect(t.tracker.readiness(S)).toEqual({ state: 'assigning', sinceMs: 40 });
    t.assign(['relay-1']);
    expect(t.tracker.readiness(S)).toEqual({ state: 'connecting', sinceMs: 40 });
  });

  it('reports assigned parents as connecting since their assignment, then connected', () => {
    const t = setup();
    t.tracker.joining(S);
    t.at(100);
    t.assign(['relay-1']);
    t.at(300);
    expect(t.tracker.readiness(S)).toEqual({ state: 'connecting', sinceMs: 100 });
    t.connect(true);
    t.tracker.parentOpened(S, 'relay-1');
    expect(t.tracker.readiness(S)).toEqual({ state: 'connected' });
  });

  it('measures each setup from assignment to open link into the estimator', () => {
    const t = setup();
    t.at(100);
    t.assign(['relay-1']);
    t.at(280);
    t.connect(true);
    t.tracker.parentOpened(S, 'relay-1');
    expect(t.estimator.typicalMs).toBe(180);
    expect(t.measured).toEqual([180]);
    // A link opening again (no pending setup) measures nothing.
    t.tracker.parentOpened(S, 'relay-1');
    expect(t.estimator.samples).toBe(1);
  });

  it('keeps the first assignment time of a parent listed again by a re-plan', () => {
    const t = setup();
    t.at(100);
    t.assign(['relay-1']);
    t.at(200);
    t.assign(['relay-1', 'tab-3']);
    expect(t.tracker.readiness(S)).toEqual({ state: 'connecting', sinceMs: 100 });
  });

  it('sends straight to the origin when the coordinator assigned it no parent', () => {
    const t = setup();
    t.tracker.joining(S);
    t.assign([], true);
    expect(t.tracker.readiness(S)).toEqual({ state: 'none' });
  });

  it('awaits a new assignment after the last parent went away', () => {
    const t = setup();
    t.assign(['relay-1']);
    t.connect(true);
    t.tracker.parentOpened(S, 'relay-1');
    t.at(5000);
    t.connect(false);
    t.assign([]);
    t.tracker.parentClosed(S);
    expect(t.tracker.readiness(S)).toEqual({ state: 'assigning', sinceMs: 5000 });
    t.at(5100);
    t.assign(['relay-2']);
    expect(t.tracker.readiness(S)).toEqual({ state: 'connecting', sinceMs: 5100 });
  });

  it('expects nothing once the stream stopped', () => {
    const t = setup();
    t.tracker.joining(S);
    t.tracker.stopped(S);
    expect(t.tracker.readiness(S)).toEqual({ state: 'none' });
  });
});
