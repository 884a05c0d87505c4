import {
  MisbehaviourTracker,
  type ClientMessage,
  type MisbehaviourPolicyInput,
  type MisbehaviourVerdict,
  type NodeId,
} from '@p2pcdn/core';
import createDebug from 'debug';
import { SignalingError } from '../errors.ts';
import type { NodeRecord } from '../registry/node-registry.ts';
import type { Coordinator } from './coordinator.ts';

const debug = createDebug('p2pcdn:signaling:misbehaviour');

type Report = Extract<ClientMessage, { type: 'misbehaviour' }>;

/** How the coordinator weighs reports of bad data. */
export interface MisbehaviourSettings {
  /** Distinct reporters needed before a node is evicted: one accuser alone never suffices. Default 2. */
  minAccusers: number;
  /** Reports one reporter can add to a node's score within the window. Default 2. */
  perAccuserCap: number;
  /** How long an evicted relay's name is refused, ms. Default 10 minutes. */
  banMs: number;
  /** Thresholds and window of the {@link MisbehaviourTracker} (default: evict at score 3 within 10 min). */
  policy: MisbehaviourPolicyInput;
}

export const DEFAULT_MISBEHAVIOUR_SETTINGS: MisbehaviourSettings = {
  minAccusers: 2,
  perAccuserCap: 2,
  banMs: 10 * 60_000,
  policy: {},
};

/** Default tracker window, ms (the tracker's own default). */
const WINDOW_MS = 10 * 60_000;

/**
 * The coordinator's side of integrity: nodes report parents that sent them data failing the
 * signed manifest. A report is only taken from a node about a peer it has an edge with; each
 * reporter's weight on one accused is capped, and eviction needs several distinct reporters,
 * so a hostile node cannot get an honest one thrown out by reporting it over and over. Each
 * accepted report moves the reporter off the accused; repeat offences from several reporters
 * evict the accused from every tree, close its connection and refuse its name for a while.
 */
export class MisbehaviourDesk {
  private readonly tracker: MisbehaviourTracker;
  /** accused → reporter → times of its counted reports. */
  private readonly counted = new Map<NodeId, Map<NodeId, number[]>>();
  /** Relay name → refused until (ms). */
  private readonly banned = new Map<string, number>();
  private readonly windowMs: number;

  constructor(
    private readonly c: Coordinator,
    readonly settings: MisbehaviourSettings = DEFAULT_MISBEHAVIOUR_SETTINGS,
  ) {
    this.tracker = new MisbehaviourTracker(settings.policy);
    this.windowMs = settings.policy.windowMs ?? WINDOW_MS;
  }

  /** Whether a node presenting `name` is refused (an evicted relay, within its ban). */
  isBanned(role: string, name: string | undefined): boolean {
    if (role !== 'relay' || name === undefined) return false;
    const until = this.banned.get(name);
    if (until === undefined) return false;
    if (until > this.c.clock.now()) return true;
    this.banned.delete(name);
    return false;
  }

  /** Current verdicts, worst first (for tests and the admin). */
  offenders(): MisbehaviourVerdict[] {
    return this.tracker.offenders(this.c.clock.now());
  }

  /** Handles one report; throws SignalingError without changing anything when it is refused. */
  report(reporter: NodeRecord, msg: Report): void {
    const { c } = this;
    if (!c.streams.get(msg.streamId)) {
      throw new SignalingError('unknown-stream', `no stream "${msg.streamId}" is registered`);
    }
    if (msg.peerId === reporter.id) throw new SignalingError('bad-request', 'a node cannot report itself');
    const accused = c.nodes.get(msg.peerId);
    if (!accused) throw new SignalingError('unknown-peer', `node ${msg.peerId} is not connected`);
    if (!c.planner.isEdge(msg.streamId, reporter.id, msg.peerId)) {
      throw new SignalingError('forbidden', `${msg.peerId} is not your peer in ${msg.streamId}`);
    }
    const now = c.clock.now();
    c.touch(reporter);
    const byReporter = this.counted.get(accused.id) ?? new Map<NodeId, number[]>();
    const mine = (byReporter.get(reporter.id) ?? []).filter((at) => at > now - this.windowMs);
    const counts = mine.length < this.settings.perAccuserCap;
    let verdict = this.tracker.verdict(accused.id, now);
    if (counts) {
      mine.push(now);
      byReporter.set(reporter.id, mine);
      this.counted.set(accused.id, byReporter);
      verdict = this.tracker.record(accused.id, msg.offence, now);
    }
    const accusers = [...byReporter.values()].filter((times) =>
      times.some((at) => at > now - this.windowMs),
    ).length;
    const what = `${msg.offence}${msg.segment ? ` (${msg.segment.slice(-80)})` : ''}`;
    c.events.add({
      kind: 'misbehaviour',
      streamId: msg.streamId,
      nodeId: accused.id,
      message:
        `${reporter.name} reported ${accused.name}: ${what}; score ${verdict.score} from ${accusers} reporter(s)` +
        (counts ? '' : ` (not counted: ${reporter.name} already reported it ${mine.length} times)`),
    });
    debug(
      '%s reports %s in %s: %s (counted %s, %o)',
      reporter.id,
      accused.id,
      msg.streamId,
      what,
      counts,
      verdict,
    );
    this.dropParent(reporter, accused, msg);
    if (verdict.action === 'evict' && accusers >= this.settings.minAccusers)
      this.evict(accused, verdict, accusers);
  }

  /** Moves the reporter off the accused (if it is still its parent): the same as a failed parent. */
  private dropParent(reporter: NodeRecord, accused: NodeRecord, msg: Report): void {
    const { c } = this;
    const assignment = c.planner.assignment(msg.streamId, reporter.id);
    if (!assignment?.parents.some((p) => p.id === accused.id)) return;
    try {
      const changes = c.planner.parentFailed(reporter.id, msg.streamId, accused.id);
      c.confirmations.fail(msg.streamId, reporter.id, accused.id);
      c.apply(changes, `${reporter.name} dropped ${accused.name} for bad data`, reporter.id);
    } catch (error) {
      debug('could not move %s off %s: %O', reporter.id, accused.id, error);
    }
  }

  private evict(accused: NodeRecord, verdict: MisbehaviourVerdict, accusers: number): void {
    const { c } = this;
    const banned = accused.role === 'relay';
    if (banned) this.banned.set(accused.name, c.clock.now() + this.settings.banMs);
    c.events.add({
      kind: 'misbehaviour',
      nodeId: accused.id,
      message:
        `${accused.role} ${accused.name} EVICTED from every tree: ${verdict.offences} bad-data reports ` +
        `from ${accusers} reporters` +
        (banned ? `; its name is refused for ${Math.round(this.settings.banMs / 1000)} s` : ''),
    });
    this.tracker.forget(accused.id);
    this.counted.delete(accused.id);
    c.removeNode(accused.id, 'evicted');
    accused.link.close('evicted for sending data that failed verification');
  }
}
