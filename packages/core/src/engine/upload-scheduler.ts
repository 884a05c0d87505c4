import {
  BLOCK_FRAME_HEADER_BYTES,
  DATA_FRAME_HEADER_BYTES,
  DATA_FRAME_PAYLOAD_BYTES,
} from '../protocol/index.ts';
import { TokenBucket } from './upload-limiter.ts';
import type { Clock, Logger, TimerHandle } from './types.ts';

/** Where an upload's frames go: one link to a child. */
export interface UploadTarget {
  /** Bytes queued on the link and not yet on the network. */
  bufferedAmount(): number;
  /** Sends one data frame; false when the link is gone (the upload is then dropped). */
  sendData(id: number, offset: number, payload: Uint8Array): boolean;
  /** Sends one block frame of a striped pull; false when the link is gone. */
  sendBlock?(sub: number, seq: number, payload: Uint8Array): boolean;
}

/** One block of a striped upload: bytes `[start, end)` of the segment, sent as block `seq`. */
export interface BlockSlice {
  seq: number;
  start: number;
  end: number;
}

/**
 * Which blocks of a segment a striped upload sends, in order, decided lazily (a pattern that
 * arrives mid-segment applies to the blocks not sent yet).
 */
export interface BlockPlan {
  /** The receiver's subscription the blocks are tagged with. */
  readonly sub: number;
  /**
   * The next block to send when `readable` bytes of the segment are available: a slice, `wait`
   * when it is not readable yet, `done` when no block is left. Repeated calls without
   * {@link BlockPlan.consume} return the same answer.
   */
  peek(readable: number): BlockSlice | 'wait' | 'done';
  /** The block {@link BlockPlan.peek} returned was sent. */
  consume(): void;
}

/** One segment being sent to one child. */
export interface UploadJob {
  readonly target: UploadTarget;
  /** Request id the child chose. */
  readonly id: number;
  /** The whole segment; with `readable`, only its first `readable()` bytes may be sent yet. */
  readonly data: Uint8Array;
  /**
   * Bytes of `data` that may be sent so far, for a segment still arriving (cut-through
   * forwarding); all of `data` when omitted. Call {@link UploadScheduler.wake} when it grows.
   */
  readonly readable?: () => number;
  /** Called once, when every byte was handed to the link (`true`) or the link failed (`false`). */
  readonly onDone: (completed: boolean) => void;
  /** Called with the payload bytes of each frame handed to the link. */
  readonly onSent?: (bytes: number) => void;
  /** A striped upload: sends these blocks as block frames instead of `data` in order. */
  readonly blocks?: BlockPlan;
}

/** Settings of an {@link UploadScheduler}. */
export interface UploadSchedulerOptions {
  clock: Clock;
  /** Upload cap across all children; unlimited when omitted. */
  bytesPerSecond?: number;
  /** Largest burst the cap allows, in bytes. Default: 50 ms of upload, at least two frames. */
  burstBytes?: number;
  /** A link whose `bufferedAmount()` is above this gets no more frames for now. Default 1 MiB. */
  highWaterMarkBytes?: number;
  /**
   * How often a link held back by backpressure is looked at again, in ms. Default 20. Links that
   * report `bufferedamountlow` wake the scheduler sooner through {@link UploadScheduler.wake}.
   */
  backpressurePollMs?: number;
  log: Logger;
}

/** Frames sent in one go before yielding to the event loop, so a big upload cannot hog it. */
const FRAMES_PER_PASS = 32;
/** Smallest payload per frame when a low cap shrinks frames to keep pacing smooth. */
const MIN_FRAME_PAYLOAD_BYTES = 4096;

interface ActiveUpload {
  job: UploadJob;
  offset: number;
  done: boolean;
}

/**
 * Sends the data frames of every active upload, one frame per upload in turn (round-robin), within
 * the upload cap and without pushing more into a link whose send buffer is above the high-water
 * mark. Waiting is event-driven where it can be ({@link UploadScheduler.wake} on new data or a
 * drained link), with clock timers as the fallback, never by spinning.
 */
export class UploadScheduler {
  /** Segment payload bytes handed to links so far. */
  uploadedBytes = 0;
  private bucket: TokenBucket | undefined;
  private framePayloadBytes: number;
  private readonly highWaterMark: number;
  private readonly pollMs: number;
  private readonly active: ActiveUpload[] = [];
  private readonly byJob = new Map<UploadJob, ActiveUpload>();
  private timer: TimerHandle | undefined;
  private timerDue = Number.POSITIVE_INFINITY;
  private pumping = false;
  private pumpAgain = false;
  private stopped = false;

  constructor(private readonly options: UploadSchedulerOptions) {
    const rate = options.bytesPerSecond;
    if (rate !== undefined) {
      this.framePayloadBytes = framePayloadFor(rate);
      this.bucket = new TokenBucket(
        options.clock,
        rate,
        burstFor(rate, this.framePayloadBytes, options.burstBytes),
      );
    } else {
      this.framePayloadBytes = DATA_FRAME_PAYLOAD_BYTES;
    }
    this.highWaterMark = options.highWaterMarkBytes ?? 1024 * 1024;
    this.pollMs = Math.max(1, options.backpressurePollMs ?? 20);
  }

  /** The upload cap now, bytes per second; undefined when unlimited. */
  get bytesPerSecond(): number | undefined {
    return this.bucket?.bytesPerSecond;
  }

  /**
   * Changes the upload cap from now on (a positive number of bytes per second; undefined lifts
   * it). The burst follows the new rate unless `burstBytes` was given; uploads under way keep
   * going at the new pace.
   */
  setRate(bytesPerSecond: number | undefined): void {
    if (bytesPerSecond === undefined) {
      this.bucket = undefined;
      this.framePayloadBytes = DATA_FRAME_PAYLOAD_BYTES;
    } else {
      const frame = framePayloadFor(bytesPerSecond);
      const burst = burstFor(bytesPerSecond, frame, this.options.burstBytes);
      if (this.bucket) this.bucket.setRate(bytesPerSecond, burst);
      else this.bucket = new TokenBucket(this.options.clock, bytesPerSecond, burst);
      this.framePayloadBytes = frame;
    }
    // A timer set for the old rate may be due much later (or earlier) than the new one allows.
    this.clearTimer();
    this.wake();
  }

  /** Number of uploads not yet finished. */
  get activeCount(): number {
    return this.active.length;
  }

  /** Queues `job`; its frames start going out on the next turn if the cap and the link allow. */
  start(job: UploadJob): void {
    if (this.stopped || this.byJob.has(job)) return;
    if (job.data.byteLength === 0 || job.blocks?.peek(readableBytes(job)) === 'done') {
      job.onDone(true);
      return;
    }
    const upload: ActiveUpload = { job, offset: 0, done: false };
    // At the front: a newcomer has not had a turn yet, everyone behind it has.
    this.active.unshift(upload);
    this.byJob.set(job, upload);
    // On the next turn, not now: requests that arrive together then share the burst fairly.
    this.wakeIn(0);
  }

  /**
   * Runs `send` (which sends `bytes` outside any upload job, e.g. a probe's answer) after the
   * time those bytes take at the cap, behind what is already owed, and charges them to it: what
   * the frame measures is then the rate this node delivers, not an idle sender's burst. At once
   * without a cap. Returns a function that cancels a send still waiting.
   */
  paced(bytes: number, send: () => void): () => void {
    const bucket = this.bucket;
    if (!bucket || this.stopped) {
      send();
      return () => {};
    }
    const wait = bucket.msUntilSendable() + (bytes * 1000) / bucket.bytesPerSecond;
    bucket.take(bytes);
    const timer = this.options.clock.setTimeout(() => {
      if (!this.stopped) send();
    }, wait);
    return () => this.options.clock.clearTimeout(timer);
  }

  /**
   * Sends what can be sent now: call when a link's send buffer drained or a growing job's
   * `readable()` grew. Cheap when there is nothing to do.
   */
  wake(): void {
    if (this.stopped || this.active.length === 0) return;
    this.pump();
  }

  /** Stops `job` without calling its `onDone`. */
  cancel(job: UploadJob): void {
    const upload = this.byJob.get(job);
    if (upload) this.remove(upload);
  }

  /** Stops every upload and timer; later `start` calls are ignored. */
  stop(): void {
    this.stopped = true;
    for (const upload of [...this.active]) this.remove(upload);
    this.clearTimer();
  }

  private remove(upload: ActiveUpload): void {
    upload.done = true;
    this.byJob.delete(upload.job);
    const index = this.active.indexOf(upload);
    if (index >= 0) this.active.splice(index, 1);
  }

  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.pumpOnce();
      } while (this.pumpAgain && !this.stopped);
    } finally {
      this.pumping = false;
    }
  }

  private pumpOnce(): void {
    for (let frames = 0; this.active.length > 0; frames++) {
      if (frames >= FRAMES_PER_PASS) return this.wakeIn(0);
      const wait = this.bucket?.msUntilSendable() ?? 0;
      if (wait > 0) return this.wakeIn(wait);
      const upload = this.nextSendable();
      if (upload === 'backpressure') return this.wakeIn(this.pollMs);
      // Every upload waits for data still arriving: `wake()` comes with it.
      if (!upload) return;
      this.sendFrame(upload);
    }
  }

  /**
   * The next upload in round-robin order that has bytes to send and whose link can take a frame;
   * rotates it to the back. Otherwise `backpressure` when some upload waits for its link to drain,
   * undefined when all wait for data.
   */
  private nextSendable(): ActiveUpload | 'backpressure' | undefined {
    let blocked = false;
    for (let tried = 0; tried < this.active.length; tried++) {
      const upload = this.active.shift();
      if (!upload) return undefined;
      this.active.push(upload);
      const { blocks } = upload.job;
      if (blocks) {
        const next = blocks.peek(readableBytes(upload.job));
        if (next === 'done') {
          this.finish(upload, true);
          tried--;
          continue;
        }
        if (next === 'wait') continue;
      } else if (upload.offset >= readableBytes(upload.job)) continue;
      if (upload.job.target.bufferedAmount() <= this.highWaterMark) return upload;
      blocked = true;
    }
    return blocked ? 'backpressure' : undefined;
  }

  private sendFrame(upload: ActiveUpload): void {
    if (upload.job.blocks) return this.sendBlock(upload, upload.job.blocks);
    const { job } = upload;
    const end = Math.min(readableBytes(job), upload.offset + this.framePayloadBytes);
    const payload = job.data.subarray(upload.offset, end);
    const sent = job.target.sendData(job.id, upload.offset, payload);
    // Sending can close the link synchronously, which may already have removed this upload.
    if (!sent) {
      this.options.log('upload %d stopped at byte %d: link gone', job.id, upload.offset);
      if (!upload.done) {
        this.remove(upload);
        job.onDone(false);
      }
      return;
    }
    this.bucket?.take(payload.byteLength + DATA_FRAME_HEADER_BYTES);
    this.uploadedBytes += payload.byteLength;
    job.onSent?.(payload.byteLength);
    upload.offset = end;
    if (upload.offset >= job.data.byteLength && !upload.done) {
      this.remove(upload);
      job.onDone(true);
    }
  }

  private sendBlock(upload: ActiveUpload, plan: BlockPlan): void {
    const { job } = upload;
    const next = plan.peek(readableBytes(job));
    if (next === 'done') return this.finish(upload, true);
    if (next === 'wait') return;
    const payload = job.data.subarray(next.start, next.end);
    const sent = job.target.sendBlock?.(plan.sub, next.seq, payload) ?? false;
    if (!sent) {
      this.options.log('striped upload %d stopped at block %d: link gone', plan.sub, next.seq);
      return this.finish(upload, false);
    }
    plan.consume();
    this.bucket?.take(payload.byteLength + BLOCK_FRAME_HEADER_BYTES);
    this.uploadedBytes += payload.byteLength;
    job.onSent?.(payload.byteLength);
    if (plan.peek(readableBytes(job)) === 'done') this.finish(upload, true);
  }

  private finish(upload: ActiveUpload, completed: boolean): void {
    if (upload.done) return;
    this.remove(upload);
    upload.job.onDone(completed);
  }

  private wakeIn(ms: number): void {
    const due = this.options.clock.now() + ms;
    if (this.timer !== undefined && this.timerDue <= due) return;
    this.clearTimer();
    this.timerDue = due;
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerDue = Number.POSITIVE_INFINITY;
      this.pump();
    }, ms);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
  }
}

/** Under a low cap, smaller frames keep each child's share arriving steadily. */
function framePayloadFor(rate: number): number {
  return Math.min(DATA_FRAME_PAYLOAD_BYTES, Math.max(MIN_FRAME_PAYLOAD_BYTES, Math.floor(rate / 20)));
}

/**
 * 50 ms of upload by default, at least two frames. A longer burst lets a sender that was idle
 * send far above its cap for a while, which a receiver measuring its sources (striped pulls
 * weigh them by delivered bytes) takes for speed: with a quarter second the pattern swung from
 * source to source, with 50 ms it settles (see docs/BENCHMARKS.md, striped pulls).
 */
function burstFor(rate: number, framePayloadBytes: number, burstBytes: number | undefined): number {
  return burstBytes ?? Math.max(rate / 20, 2 * (framePayloadBytes + DATA_FRAME_HEADER_BYTES));
}

function readableBytes(job: UploadJob): number {
  return job.readable ? Math.min(job.data.byteLength, job.readable()) : job.data.byteLength;
}
