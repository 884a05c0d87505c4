import type { BlockFrame, StreamId, StripeFigures, StripeMessage } from '../protocol/index.ts';
import type { LinkSession } from './link-session.ts';
import type { StripeStats } from './stripe-types.ts';
import { StripedPull, type StripedPullDeps } from './striped-pull.ts';

/** What a node's striped pulls need from its engine: a pull's needs but its own ids. */
export type StripedPullsDeps = Omit<
  StripedPullDeps,
  'streamId' | 'nextSubscription' | 'releaseSubscription' | 'nextNonce'
>;

/** Most streams and sources per stream a heartbeat reports. */
const MAX_REPORTED = 16;

/**
 * The receiving side of every striped pull of one node: one {@link StripedPull} per stream,
 * the subscription ids it chose (block frames and answers are routed by them), and figures.
 */
export class StripedPulls {
  private readonly pulls = new Map<StreamId, StripedPull>();
  /** Which stream's pull each subscription id this node chose belongs to. */
  private readonly subscriptions = new Map<number, StreamId>();
  private nextSubscription = 1;
  private nextNonce = 1;

  constructor(private readonly deps: StripedPullsDeps) {}

  get size(): number {
    return this.pulls.size;
  }

  /** The pull of `streamId`, created on first use. */
  get(streamId: StreamId): StripedPull {
    let pull = this.pulls.get(streamId);
    if (pull) return pull;
    pull = new StripedPull({
      ...this.deps,
      streamId,
      nextSubscription: () => {
        const sub = this.nextSubscription++;
        this.subscriptions.set(sub, streamId);
        return sub;
      },
      releaseSubscription: (sub) => this.subscriptions.delete(sub),
      nextNonce: () => this.nextNonce++,
    });
    this.pulls.set(streamId, pull);
    return pull;
  }

  /** A block frame for one of this node's subscriptions. */
  onBlock(session: LinkSession, frame: BlockFrame): void {
    const streamId = this.subscriptions.get(frame.sub);
    // Blocks of a subscription already closed are late, not hostile.
    if (streamId !== undefined) this.pulls.get(streamId)?.onBlock(session, frame);
  }

  /** A source's answer (`stripe-have`, `stripe-miss`, `probe-reply`) to one of this node's pulls. */
  onAnswer(session: LinkSession, msg: StripeMessage): void {
    if (msg.type === 'probe-reply') {
      for (const pull of this.pulls.values()) pull.handle(session, msg);
      return;
    }
    if (msg.type !== 'stripe-have' && msg.type !== 'stripe-miss') return;
    const streamId = this.subscriptions.get(msg.sub);
    if (streamId !== undefined) this.pulls.get(streamId)?.handle(session, msg);
  }

  /** `session` is gone, or (with `streamId`) no longer a parent in that stream. */
  removeSession(session: LinkSession, streamId?: StreamId): void {
    if (streamId !== undefined) return this.pulls.get(streamId)?.removeSession(session);
    for (const pull of this.pulls.values()) pull.removeSession(session);
  }

  /** Ends the pull of `streamId` (the stream was released). */
  closeStream(streamId: StreamId): void {
    this.pulls.get(streamId)?.close();
    this.pulls.delete(streamId);
    for (const [sub, stream] of this.subscriptions) if (stream === streamId) this.subscriptions.delete(sub);
  }

  closeAll(): void {
    for (const streamId of [...this.pulls.keys()]) this.closeStream(streamId);
  }

  /** Each pull's pattern and per-source figures. */
  stats(): StripeStats[] {
    return [...this.pulls.values()].map((pull) => pull.stats());
  }

  /** The same, bounded for the heartbeat. */
  figures(): StripeFigures[] {
    return this.stats()
      .slice(0, MAX_REPORTED)
      .map((s) => ({
        streamId: s.streamId,
        pattern: s.pattern,
        epoch: s.epoch,
        sources: s.sources.slice(0, MAX_REPORTED).map((src) => ({
          peerId: src.peerId,
          letter: src.letter,
          share: src.share,
          bytesPerSecond: src.bytesPerSecond,
          outOfSequence: src.outOfSequence,
        })),
      }));
  }
}
