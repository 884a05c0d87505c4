import { IntegrityError } from './errors.ts';

/** What a source did wrong. */
export type OffenceKind =
  /** A block failed its per-block hash: the sender is certain. */
  | 'bad-block'
  /** A segment from this one source failed its hash: the sender is certain. */
  | 'bad-segment'
  /** A striped segment failed its hash and this source was one of several senders. */
  | 'suspect-segment'
  /** A protocol violation (malformed frame, a block it did not owe…). */
  | 'protocol';

/** What to do about a source now. */
export type MisbehaviourAction =
  /** Nothing yet. */
  | 'none'
  /** Drop it from the pattern (and report it to the coordinator). */
  | 'drop'
  /** Repeated offences: have the coordinator evict it from the trees. */
  | 'evict';

/** Thresholds of a {@link MisbehaviourTracker}. */
export interface MisbehaviourPolicy {
  /** Score at which a source is dropped from the pattern. Default 1 (one certain bad block). */
  dropAt: number;
  /** Score at which a source is to be evicted. Default 3. */
  evictAt: number;
  /** Offences older than this are forgotten, ms. Default 10 minutes. */
  windowMs: number;
  /** Score of each kind of offence. Default: certain ones 1, suspicion 0.5, protocol 0.25. */
  weights: Record<OffenceKind, number>;
}

/** Thresholds as callers pass them: anything left out keeps its default. */
export type MisbehaviourPolicyInput = Partial<Omit<MisbehaviourPolicy, 'weights'>> & {
  weights?: Partial<Record<OffenceKind, number>>;
};

/** The default thresholds. */
export const DEFAULT_MISBEHAVIOUR_POLICY: MisbehaviourPolicy = {
  dropAt: 1,
  evictAt: 3,
  windowMs: 10 * 60_000,
  weights: { 'bad-block': 1, 'bad-segment': 1, 'suspect-segment': 0.5, protocol: 0.25 },
};

/** The tracker's judgement of a source after an offence. */
export interface MisbehaviourVerdict {
  source: string;
  action: MisbehaviourAction;
  /** Sum of the weights of its offences within the window. */
  score: number;
  /** Number of offences within the window. */
  offences: number;
}

interface Offence {
  at: number;
  weight: number;
}

/**
 * Counts each source's bad data over a sliding window and says when to drop it from the
 * pattern and when to have it evicted. Pure: times come from the caller.
 */
export class MisbehaviourTracker {
  private readonly policy: MisbehaviourPolicy;
  private readonly offences = new Map<string, Offence[]>();

  constructor(policy: MisbehaviourPolicyInput = {}) {
    this.policy = {
      ...DEFAULT_MISBEHAVIOUR_POLICY,
      ...policy,
      weights: { ...DEFAULT_MISBEHAVIOUR_POLICY.weights, ...policy.weights },
    };
    const { dropAt, evictAt, windowMs } = this.policy;
    if (!(dropAt > 0) || !(evictAt >= dropAt) || !(windowMs > 0)) {
      throw new IntegrityError('invalid-argument', 'need 0 < dropAt <= evictAt and a positive windowMs');
    }
  }

  /** Records an offence by `source` at time `now` (ms) and judges it. */
  record(source: string, kind: OffenceKind, now: number): MisbehaviourVerdict {
    const list = this.recent(source, now);
    list.push({ at: now, weight: this.policy.weights[kind] });
    this.offences.set(source, list);
    return this.judge(source, list);
  }

  /** The current judgement of `source` without recording anything. */
  verdict(source: string, now: number): MisbehaviourVerdict {
    return this.judge(source, this.recent(source, now));
  }

  /** Forgets a source (e.g. once evicted). */
  forget(source: string): void {
    this.offences.delete(source);
  }

  /** Sources with offences within the window, worst first. */
  offenders(now: number): MisbehaviourVerdict[] {
    return [...this.offences.keys()]
      .map((source) => this.verdict(source, now))
      .filter((v) => v.offences > 0)
      .sort((a, b) => b.score - a.score || (a.source < b.source ? -1 : 1));
  }

  private recent(source: string, now: number): Offence[] {
    const since = now - this.policy.windowMs;
    const list = (this.offences.get(source) ?? []).filter((o) => o.at > since);
    if (list.length === 0) this.offences.delete(source);
    else this.offences.set(source, list);
    return list;
  }

  private judge(source: string, list: readonly Offence[]): MisbehaviourVerdict {
    const score = list.reduce((sum, o) => sum + o.weight, 0);
    const action = score >= this.policy.evictAt ? 'evict' : score >= this.policy.dropAt ? 'drop' : 'none';
    return { source, action, score, offences: list.length };
  }
}

/**
 * Who to blame for a striped segment that failed its hash: the senders of the blocks that
 * failed their own hashes when those are known (`bad-block`), otherwise every contributor —
 * certain (`bad-segment`) when there was only one, a suspect (`suspect-segment`) when several.
 */
export function blameSegment(
  contributors: ReadonlyMap<string, readonly number[]>,
  badSeqs?: ReadonlySet<number>,
): Map<string, OffenceKind> {
  const blamed = new Map<string, OffenceKind>();
  if (badSeqs && badSeqs.size > 0) {
    for (const [source, seqs] of contributors) {
      if (seqs.some((seq) => badSeqs.has(seq))) blamed.set(source, 'bad-block');
    }
    if (blamed.size > 0) return blamed;
  }
  const senders = [...contributors].filter(([, seqs]) => seqs.length > 0).map(([source]) => source);
  for (const source of senders) blamed.set(source, senders.length === 1 ? 'bad-segment' : 'suspect-segment');
  return blamed;
}
