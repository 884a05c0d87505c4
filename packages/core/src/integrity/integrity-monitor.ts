import type { MisbehaviourDetail } from '../engine/peer-engine-types.ts';
import { segmentKey, type NodeId, type StreamId } from '../protocol/common.ts';
import type { ClientMessage } from '../protocol/signaling.ts';
import type { StreamInfo } from '../protocol/stream.ts';
import type { StreamVerifier } from './stream-verifier.ts';

/** A report for the coordinator (`misbehaviour` without its type). */
export type MisbehaviourReport = Omit<Extract<ClientMessage, { type: 'misbehaviour' }>, 'type'>;

/** Bad data received from one source, for the player's panel. */
export interface SourceRejections {
  peerId: NodeId;
  /** Segments from it that failed verification. */
  rejected: number;
  /** The last one's key. */
  lastSegment?: string;
}

/** What the monitor listens to on the node agent (its `assignment` and `release` events). */
export interface AgentEvents {
  on(event: 'assignment', listener: (assignment: { stream: StreamInfo }) => void): () => void;
  on(event: 'release', listener: (streamId: StreamId) => void): () => void;
}

/**
 * Glue between a node's verifier, its engine and the coordinator: keeps the verifier told how
 * each assigned stream is vouched for, counts bad data per source, and reports each source that
 * sent a segment failing verification (`onMisbehaviour` is the engine's listener).
 */
export class IntegrityMonitor {
  private readonly bySource = new Map<NodeId, SourceRejections>();

  constructor(
    readonly verifier: StreamVerifier,
    private readonly report: (report: MisbehaviourReport) => void,
  ) {}

  /** Follows the agent's assignments (stream info with key and manifest) and releases. */
  follow(agent: AgentEvents): () => void {
    const offs = [
      agent.on('assignment', (a) => this.verifier.setStream(a.stream)),
      agent.on('release', (streamId) => this.verifier.dropStream(streamId)),
    ];
    return () => offs.forEach((off) => off());
  }

  /** The engine's misbehaviour listener. */
  readonly onMisbehaviour = (peerId: NodeId, _reason: string, detail: MisbehaviourDetail): void => {
    if (detail.kind !== 'bad-data' || !detail.segment) return;
    const key = segmentKey(detail.segment);
    const entry = this.bySource.get(peerId) ?? { peerId, rejected: 0 };
    entry.rejected += 1;
    entry.lastSegment = key;
    this.bySource.set(peerId, entry);
    this.report({
      streamId: detail.segment.streamId,
      peerId,
      offence: detail.block === undefined ? 'bad-segment' : 'bad-block',
      segment: key,
    });
  };

  /** Bad data per source, most first. */
  rejections(): SourceRejections[] {
    return [...this.bySource.values()].map((e) => ({ ...e })).sort((a, b) => b.rejected - a.rejected);
  }
}
