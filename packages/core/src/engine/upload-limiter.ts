import type { Clock } from './types.ts';

/**
 * Token bucket for an upload cap. Tokens are bytes; they refill at `bytesPerSecond` up to
 * `burstBytes`. A sender may go ahead whenever the balance is positive and then pays for the whole
 * frame, so the balance can dip below zero: over any window of T seconds at most
 * `burstBytes + bytesPerSecond·T + one frame` bytes leave, and the long-run rate is exact.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;
  private rate: number;
  private burst: number;

  constructor(
    private readonly clock: Clock,
    bytesPerSecond: number,
    burstBytes: number,
  ) {
    checkRate(bytesPerSecond, burstBytes);
    this.rate = bytesPerSecond;
    this.burst = burstBytes;
    this.tokens = burstBytes;
    this.refilledAt = clock.now();
  }

  get bytesPerSecond(): number {
    return this.rate;
  }

  get burstBytes(): number {
    return this.burst;
  }

  /**
   * Changes the rate (and burst) from now on: time already passed refills at the old rate, and a
   * balance above the new burst is cut to it, so a lowered cap applies at once.
   */
  setRate(bytesPerSecond: number, burstBytes: number): void {
    checkRate(bytesPerSecond, burstBytes);
    this.refill();
    this.rate = bytesPerSecond;
    this.burst = burstBytes;
    this.tokens = Math.min(this.tokens, burstBytes);
  }

  /** Current balance in bytes (may be negative after a frame was paid for on credit). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Whether a frame may be sent now. */
  canSend(): boolean {
    return this.available() > 0;
  }

  /** Pays for `bytes` that were just sent. */
  take(bytes: number): void {
    this.refill();
    this.tokens -= bytes;
  }

  /** Milliseconds until the balance turns positive again (0 if it already is). */
  msUntilSendable(): number {
    const balance = this.available();
    if (balance > 0) return 0;
    // +1 byte so that, after this wait, the balance is strictly positive despite rounding.
    return Math.ceil(((1 - balance) * 1000) / this.rate);
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = now - this.refilledAt;
    if (elapsed <= 0) return;
    this.refilledAt = now;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.rate) / 1000);
  }
}

function checkRate(bytesPerSecond: number, burstBytes: number): void {
  if (!(bytesPerSecond > 0) || !Number.isFinite(bytesPerSecond)) {
    throw new RangeError(`bytesPerSecond must be a positive number, got ${bytesPerSecond}`);
  }
  if (!(burstBytes >= 0) || !Number.isFinite(burstBytes)) {
    throw new RangeError(`burstBytes must be a non-negative number, got ${burstBytes}`);
  }
}
