import { assertNever } from '../protocol/index.ts';
import type { Rng } from './rng.ts';
import { SIM_REGIONS } from './world.ts';

/** The join/leave patterns the simulator knows. */
export const TRACE_KINDS = ['flash-crowd', 'diurnal', 'churn'] as const;
export type TraceKind = (typeof TRACE_KINDS)[number];

/** Viewer sessions of a trace, struct-of-arrays (there can be hundreds of thousands). */
export interface Sessions {
  count: number;
  /** Time of the logon (ms). */
  joinAt: Float64Array;
  /** Time of the logoff (ms); `Infinity` when the viewer stays to the end. */
  leaveAt: Float64Array;
  /** Index into {@link SIM_REGIONS}. */
  region: Uint8Array;
  /** Index of the stream watched. */
  stream: Uint8Array;
  /** Upload the tab offers (kbit/s). */
  uploadKbps: Float64Array;
  /** Last-mile RTT contribution (ms). */
  accessMs: Float32Array;
}

/** A relay failure (no goodbye) or arrival, by index into the relays the simulation created. */
export interface RelayEvent {
  at: number;
  relay: number;
}

/** Everything that happens to the population in one run. */
export interface Trace {
  kind: TraceKind;
  durationMs: number;
  sessions: Sessions;
  relayDeaths: RelayEvent[];
  /** New relays arriving; `relay` counts from the initial relay count. */
  relayArrivals: RelayEvent[];
}

/** What a trace is drawn from. */
export interface TraceSpec {
  kind: TraceKind;
  /** Scale: total logons of a flash crowd; peak (diurnal) or steady (churn) concurrent viewers. */
  viewers: number;
  /** Number of streams (popularity falls as 1/rank). */
  streams: number;
  /** Relays at the start (deaths pick among them). */
  relays: number;
  /** Share of tabs that offer upload, and how much (kbit/s). */
  capableShare: number;
  capableUploadKbps: number;
}

/** Flash crowd: logons ~ Gamma(2, 12 s), almost nobody leaves within the 3 minutes. */
const FLASH = { durationMs: 180_000, scaleMs: 12_000, lastJoinMs: 150_000, sessionMs: 1_200_000 };
/**
 * Diurnal: one compressed day of 10 minutes (logon rate 0.1–1 of its peak, 5-minute sessions),
 * then 3 minutes of night at the lowest rate, so the population grows and shrinks.
 */
const DIURNAL = { dayMs: 600_000, durationMs: 780_000, sessionMs: 300_000, floor: 0.1 };
/** Churn: ramp to the steady population in 20 s, then 2-minute sessions replaced as they end. */
const CHURN = { durationMs: 180_000, rampMs: 20_000, sessionMs: 120_000 };

/** Draws a trace; the same `rng` state gives the same trace. */
export function makeTrace(spec: TraceSpec, rng: Rng): Trace {
  const builder = new SessionBuilder(spec, rng);
  const relayDeaths: RelayEvent[] = [];
  const relayArrivals: RelayEvent[] = [];
  let durationMs: number;
  switch (spec.kind) {
    case 'flash-crowd': {
      durationMs = FLASH.durationMs;
      for (let i = 0; i < spec.viewers; i++) {
        let at: number;
        do at = -FLASH.scaleMs * Math.log((1 - rng.next()) * (1 - rng.next()));
        while (at > FLASH.lastJoinMs);
        builder.add(at, at + rng.exp(FLASH.sessionMs));
      }
      failures(rng, spec.relays, 0.02, 20_000, 170_000, relayDeaths);
      break;
    }
    case 'diurnal': {
      durationMs = DIURNAL.durationMs;
      const shape = (t: number): number =>
        t >= DIURNAL.dayMs
          ? DIURNAL.floor
          : DIURNAL.floor + (1 - DIURNAL.floor) * Math.sin((Math.PI * t) / DIURNAL.dayMs) ** 2;
      // Scale the peak rate so that the expected peak of concurrent viewers is `viewers`.
      let m = 0;
      let peak = 0;
      const decay = Math.exp(-1000 / DIURNAL.sessionMs);
      for (let t = 0; t < durationMs; t += 1000) {
        m = m * decay + shape(t) * 1000;
        peak = Math.max(peak, m);
      }
      const ratePerMs = spec.viewers / peak;
      for (let t = rng.exp(1 / ratePerMs); t < durationMs; t += rng.exp(1 / ratePerMs)) {
        if (rng.next() < shape(t)) builder.add(t, t + rng.exp(DIURNAL.sessionMs));
      }
      failures(rng, spec.relays, 0.03, 0, durationMs, relayDeaths);
      arrivals(rng, relayDeaths.length, spec.relays, 0, durationMs, relayArrivals);
      break;
    }
    case 'churn': {
      durationMs = CHURN.durationMs;
      for (let i = 0; i < spec.viewers; i++) {
        const at = rng.uniform(0, CHURN.rampMs);
        builder.add(at, at + rng.exp(CHURN.sessionMs));
      }
      const ratePerMs = spec.viewers / CHURN.sessionMs;
      for (let t = CHURN.rampMs + rng.exp(1 / ratePerMs); t < durationMs; t += rng.exp(1 / ratePerMs)) {
        builder.add(t, t + rng.exp(CHURN.sessionMs));
      }
      failures(rng, spec.relays, 0.1, 30_000, durationMs - 10_000, relayDeaths);
      arrivals(rng, relayDeaths.length, spec.relays, 30_000, durationMs - 10_000, relayArrivals);
      break;
    }
    default:
      return assertNever(spec.kind, 'trace kind');
  }
  return { kind: spec.kind, durationMs, sessions: builder.build(durationMs), relayDeaths, relayArrivals };
}

function failures(
  rng: Rng,
  relays: number,
  share: number,
  from: number,
  to: number,
  out: RelayEvent[],
): void {
  for (let relay = 0; relay < relays; relay++) {
    if (rng.next() < share) out.push({ at: rng.uniform(from, to), relay });
  }
}

function arrivals(rng: Rng, count: number, first: number, from: number, to: number, out: RelayEvent[]): void {
  for (let i = 0; i < count; i++) out.push({ at: rng.uniform(from, to), relay: first + i });
}

class SessionBuilder {
  private readonly joins: number[] = [];
  private readonly leaves: number[] = [];
  private readonly regionWeights = SIM_REGIONS.map((r) => r.weight);
  private readonly streamWeights: number[];

  constructor(
    private readonly spec: TraceSpec,
    private readonly rng: Rng,
  ) {
    this.streamWeights = Array.from({ length: spec.streams }, (_, i) => 1 / (i + 1));
  }

  add(joinAt: number, leaveAt: number): void {
    this.joins.push(joinAt);
    this.leaves.push(leaveAt);
  }

  build(durationMs: number): Sessions {
    const count = this.joins.length;
    const s: Sessions = {
      count,
      joinAt: Float64Array.from(this.joins),
      leaveAt: Float64Array.from(this.leaves, (t) => (t < durationMs ? t : Number.POSITIVE_INFINITY)),
      region: new Uint8Array(count),
      stream: new Uint8Array(count),
      uploadKbps: new Float64Array(count),
      accessMs: new Float32Array(count),
    };
    for (let i = 0; i < count; i++) {
      s.region[i] = this.rng.weighted(this.regionWeights);
      s.stream[i] = this.rng.weighted(this.streamWeights);
      s.uploadKbps[i] = this.rng.next() < this.spec.capableShare ? this.spec.capableUploadKbps : 0;
      s.accessMs[i] = this.rng.uniform(5, 30);
    }
    return s;
  }
}
