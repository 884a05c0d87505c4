import { LoadForecaster } from '../forecast/index.ts';
import { assertNever, type NodeId, type StreamId } from '../protocol/index.ts';
import { planViolations, seededRandom, TieredPlanner, type PlanChanges } from '../tree/index.ts';
import { DEFAULT_SIM_CONFIG, originRegion, relaysFor, type SimConfig } from './config.ts';
import { EventQueue } from './event-queue.ts';
import { quantile, round, Samples } from './metrics.ts';
import { directRttMs, indexOfId, pathReadyAt, pathRttMs, viewersBelow, type Placement } from './paths.ts';
import { Rng } from './rng.ts';
import type { SimRun, SimSeries } from './run-types.ts';
import { makeTrace, type Trace } from './traces.ts';
import { makeRelays, regionRttMs, SIM_REGIONS, type SimRelay } from './world.ts';

/** What the host lends a run: a clock for CPU timings and a progress callback. */
export interface SimHooks {
  /** Milliseconds with sub-millisecond resolution (performance.now), to time planner decisions. */
  timer?: () => number;
  /** Called now and then with the share of simulated time done. */
  onProgress?: (done: number) => void;
}

/** A relay whose load stays beyond a mark repeats its request this often (ms). */
const RETRY_MS = 10_000;

type SimEvent =
  | { type: 'leave'; session: number }
  | { type: 'relay-death'; relay: number }
  | { type: 'relay-detected'; relay: number }
  | { type: 'relay-arrival'; relay: number }
  | { type: 'distribute'; relay: NodeId }
  | { type: 'tick' }
  | { type: 'sample' };

/** Runs one simulation: the trace drawn from `config.seed`, the {@link TieredPlanner} planning it. */
export function simulate(partial: Partial<SimConfig> = {}, hooks: SimHooks = {}): SimRun {
  return new Simulation({ ...DEFAULT_SIM_CONFIG, ...partial }, hooks).run();
}

class Simulation {
  private now = 0;
  private readonly planner: TieredPlanner;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly trace: Trace;
  private readonly relays: SimRelay[];
  private readonly where: Placement;
  private readonly streamIds: StreamId[];
  private readonly readyAt: Array<Map<NodeId, number>>;
  private readonly forecasters: LoadForecaster[];
  private readonly lastForecast: number[];
  private readonly firstJoinAt: Array<number | undefined>;
  private readonly originCopyMs: number[];
  private readonly activeMs: number[];
  private readonly joinedAt: Float64Array;
  private readonly withoutMs: Float64Array;
  private readonly deathAt = new Map<NodeId, number>();
  private readonly pendingDistribute = new Set<NodeId>();
  /** Relays that asked recently and wait before asking again. */
  private readonly quietUntil = new Map<NodeId, number>();
  private readonly alive = new Set<NodeId>();
  private readonly active: Int32Array;
  private readonly activePos: Int32Array;
  private activeCount = 0;
  private readonly stretchRng: Rng;
  private readonly joinMicros = new Samples();
  private readonly stretch = new Samples();
  private readonly series: SimSeries = { t: [], viewers: [], relays: [], forecast: [] };
  private readonly run0: Omit<SimRun, 'config' | 'series' | 'violations' | 'viewersWithoutParentMs'>;
  private peakSampleViewers = -1;
  private lastProgress = 0;

  constructor(
    private readonly config: SimConfig,
    private readonly hooks: SimHooks,
  ) {
    const rng = new Rng(config.seed);
    const relayCount = config.relays > 0 ? config.relays : relaysFor(config);
    this.trace = makeTrace({ ...config, kind: config.trace, relays: relayCount }, rng);
    this.relays = makeRelays(rng, relayCount + this.trace.relayArrivals.length);
    this.stretchRng = new Rng(config.seed + 7);
    const sessions = this.trace.sessions;
    this.where = { relays: this.relays, sessions };
    this.joinedAt = new Float64Array(sessions.count);
    this.withoutMs = new Float64Array(sessions.count);
    this.active = new Int32Array(sessions.count);
    this.activePos = new Int32Array(sessions.count).fill(-1);
    this.planner = new TieredPlanner({
      now: () => this.now,
      random: seededRandom(config.seed * 31 + 17),
      stripes: config.stripes,
      farmPolicy: config.farmPolicy,
      warmupMs: config.activationMs,
      highWater: config.highWater,
      lowWater: config.lowWater,
      minActiveMs: config.minActiveMs,
      regionRttMs,
    });
    this.streamIds = Array.from({ length: config.streams }, (_, i) => `s${i}`);
    for (const [i, id] of this.streamIds.entries()) {
      const region = SIM_REGIONS[originRegion(i)]?.name ?? 'us-east';
      this.planner.addStream({ id, bitrateKbps: config.bitrateKbps, region });
    }
    this.readyAt = this.streamIds.map(() => new Map());
    this.forecasters = this.streamIds.map(
      () =>
        new LoadForecaster({
          periodMs: config.periodMs,
          horizonPeriods: config.horizonPeriods,
          alpha: config.alpha,
          beta: config.beta,
          startMs: 0,
        }),
    );
    this.lastForecast = this.streamIds.map(() => 0);
    this.firstJoinAt = this.streamIds.map(() => undefined);
    this.originCopyMs = this.streamIds.map(() => 0);
    this.activeMs = this.streamIds.map(() => 0);
    this.run0 = {
      relays: relayCount,
      simulatedSeconds: this.trace.durationMs / 1000,
      joins: 0,
      leaves: 0,
      relayDeaths: 0,
      peakViewers: 0,
      originCopies: 0,
      originCopiesPerStream: {},
      originCopiesIfWaitersUseHttp: 0,
      maxDepth: 0,
      depthBound: 0,
      meanFanout: 0,
      depthWithinBound: true,
      meanStretch: 0,
      reconfigurations: 0,
      activations: 0,
      deactivations: 0,
      activeRelaySeconds: 0,
      distributes: 0,
      consolidations: 0,
      viewersWaited: 0,
      coldStartWaited: 0,
      waitedMs: 0,
      plannerP99Micros: 0,
      plannerMeanMicros: 0,
      plannerMaxMicros: 0,
    };
  }

  run(): SimRun {
    const { sessions, relayDeaths, relayArrivals, durationMs } = this.trace;
    for (let r = 0; r < this.run0.relays; r++) this.addRelay(r);
    // Logons are fed in time order beside the queue, which then only holds what they cause.
    const order = Uint32Array.from({ length: sessions.count }, (_, i) => i).sort(
      (a, b) => (sessions.joinAt[a] ?? 0) - (sessions.joinAt[b] ?? 0) || a - b,
    );
    let nextJoin = 0;
    for (const d of relayDeaths) this.queue.schedule(d.at, { type: 'relay-death', relay: d.relay });
    for (const a of relayArrivals) this.queue.schedule(a.at, { type: 'relay-arrival', relay: a.relay });
    for (let t = this.config.periodMs; t <= durationMs; t += this.config.periodMs) {
      this.queue.schedule(t, { type: 'tick' });
    }
    const every = this.config.sampleEveryMs === 0 ? durationMs / 16 : this.config.sampleEveryMs;
    if (every > 0) {
      for (let t = every; t <= durationMs; t += every) {
        this.queue.schedule(t, { type: 'sample' });
      }
    }
    for (;;) {
      const queued = this.queue.peekTime() ?? Number.POSITIVE_INFINITY;
      const session = order[nextJoin];
      const joinAt = session === undefined ? Number.POSITIVE_INFINITY : (sessions.joinAt[session] ?? 0);
      const at = Math.min(queued, joinAt);
      if (at > durationMs) break;
      this.advance(at);
      if (joinAt <= queued && session !== undefined) {
        nextJoin++;
        this.join(session);
      } else {
        const e = this.queue.next();
        if (e) this.handle(e.event);
      }
    }
    this.advance(durationMs);
    return this.finish();
  }

  private handle(event: SimEvent): void {
    switch (event.type) {
      case 'leave':
        return this.leave(event.session);
      case 'relay-death':
        return this.relayDeath(event.relay);
      case 'relay-detected':
        return this.relayDetected(event.relay);
      case 'relay-arrival':
        return this.addRelay(event.relay);
      case 'distribute':
        return this.distribute(event.relay);
      case 'tick':
        return this.tick();
      case 'sample':
        return this.sample();
      default:
        return assertNever(event, 'simulation event');
    }
  }

  // ── population ──────────────────────────────────────────────────────────────────────────

  private join(i: number): void {
    const s = this.trace.sessions;
    const id = `v${i}`;
    const streamIndex = s.stream[i] ?? 0;
    const streamId = this.streamIds[streamIndex] as StreamId;
    const region = SIM_REGIONS[s.region[i] ?? 0]?.name ?? 'us-east';
    this.planner.addNode({ id, role: 'viewer', uploadKbps: s.uploadKbps[i] ?? 0, region });
    const t0 = this.hooks.timer?.();
    const changes = this.planner.join(id, streamId);
    if (t0 !== undefined && this.hooks.timer) this.joinMicros.push((this.hooks.timer() - t0) * 1000);
    this.absorb(changes);
    this.run0.joins++;
    this.joinedAt[i] = this.now;
    this.activePos[i] = this.activeCount;
    this.active[this.activeCount++] = i;
    this.forecasters[streamIndex]?.recordJoin(this.now);
    const ready = pathReadyAt(this.planner, streamId, this.readyAt[streamIndex] as Map<NodeId, number>, id);
    const first = (this.firstJoinAt[streamIndex] ??= this.now);
    if (ready > this.now) {
      if (this.now < first + this.config.activationMs) this.run0.coldStartWaited++;
      this.run0.viewersWaited++;
      this.run0.waitedMs += ready - this.now;
      this.withoutMs[i] = (this.withoutMs[i] ?? 0) + ready - this.now;
    }
    for (let stripe = 0; stripe < this.config.stripes; stripe++) {
      const parent = this.planner.stripeParent(streamId, stripe, id);
      if (parent) this.maybeDistribute(parent);
    }
    const leaveAt = s.leaveAt[i] ?? Number.POSITIVE_INFINITY;
    if (Number.isFinite(leaveAt)) this.queue.schedule(leaveAt, { type: 'leave', session: i });
  }

  private leave(i: number): void {
    const streamIndex = this.trace.sessions.stream[i] ?? 0;
    this.absorb(this.planner.removeNode(`v${i}`));
    this.run0.leaves++;
    this.forecasters[streamIndex]?.recordLeave(this.now);
    const pos = this.activePos[i] ?? -1;
    const last = this.active[--this.activeCount] ?? 0;
    this.active[pos] = last;
    this.activePos[last] = pos;
    this.activePos[i] = -1;
  }

  private addRelay(r: number): void {
    const relay = this.relays[r];
    if (!relay) return;
    const region = SIM_REGIONS[relay.region]?.name ?? 'us-east';
    this.absorb(this.planner.addNode({ id: relay.id, role: 'relay', uploadKbps: relay.uploadKbps, region }));
    this.alive.add(relay.id);
  }

  private relayDeath(r: number): void {
    const id = this.relays[r]?.id;
    if (!id || !this.alive.has(id)) return;
    this.alive.delete(id);
    this.deathAt.set(id, this.now);
    this.run0.relayDeaths++;
    this.queue.schedule(this.now + this.config.detectMs, { type: 'relay-detected', relay: r });
  }

  /** The coordinator learns of a death: everything below the relay was cut off since it died. */
  private relayDetected(r: number): void {
    const id = this.relays[r]?.id;
    const diedAt = id === undefined ? undefined : this.deathAt.get(id);
    if (id === undefined || diedAt === undefined) return;
    this.deathAt.delete(id);
    const cut = this.planner.streamsOf(id).map((streamId) => viewersBelow(this.planner, streamId, id));
    this.absorb(this.planner.removeNode(id));
    for (const viewers of cut) {
      for (const v of viewers) {
        const i = indexOfId(v);
        const streamIndex = this.trace.sessions.stream[i] ?? 0;
        const streamId = this.streamIds[streamIndex] as StreamId;
        if (!this.planner.member(streamId, v)) continue;
        const ready = pathReadyAt(
          this.planner,
          streamId,
          this.readyAt[streamIndex] as Map<NodeId, number>,
          v,
        );
        const gap = Math.max(this.now, ready) - Math.max(diedAt, this.joinedAt[i] ?? 0);
        this.withoutMs[i] = (this.withoutMs[i] ?? 0) + Math.max(0, gap);
      }
    }
  }

  // ── coordinator side ────────────────────────────────────────────────────────────────────

  /**
   * A relay's side of the thresholds: it asks once when its load crosses a mark, and asks again
   * at most every {@link RETRY_MS} while the load stays beyond it (the coordinator may decline).
   */
  private maybeDistribute(nodeId: NodeId): void {
    if (this.pendingDistribute.has(nodeId) || this.planner.thresholdState(nodeId) !== 'distribute') return;
    if (this.now < (this.quietUntil.get(nodeId) ?? 0)) return;
    this.pendingDistribute.add(nodeId);
    this.quietUntil.set(nodeId, this.now + RETRY_MS);
    this.queue.schedule(this.now + this.config.messageDelayMs, { type: 'distribute', relay: nodeId });
  }

  private maybeConsolidate(nodeId: NodeId): void {
    if (this.now < (this.quietUntil.get(nodeId) ?? 0)) return;
    this.quietUntil.set(nodeId, this.now + RETRY_MS);
    const changes = this.planner.consolidate(nodeId);
    if (changes.released.length > 0) this.run0.consolidations++;
    this.absorb(changes);
  }

  private distribute(nodeId: NodeId): void {
    this.pendingDistribute.delete(nodeId);
    if (!this.planner.node(nodeId) || this.planner.thresholdState(nodeId) !== 'distribute') return;
    const changes = this.planner.distribute(nodeId);
    if ((changes.edges?.length ?? 0) > 0) this.run0.distributes++;
    this.absorb(changes);
  }

  /** Once per period: forecast and provision, relays' threshold messages, the chart's values. */
  private tick(): void {
    let forecast = 0;
    for (const [s, streamId] of this.streamIds.entries()) {
      const viewers = this.planner.viewerCount(streamId);
      const expected = this.forecasters[s]?.forecast(viewers, this.now).peakViewers ?? viewers;
      this.lastForecast[s] = expected;
      forecast += expected;
      if (this.config.forecasting) this.absorb(this.planner.provision(streamId, expected));
    }
    let serving = 0;
    for (const id of this.alive) {
      const state = this.planner.thresholdState(id);
      if (state === 'ok') this.quietUntil.delete(id);
      else if (state === 'consolidate') this.maybeConsolidate(id);
      else this.maybeDistribute(id);
      if (this.planner.servesAny(id)) serving++;
    }
    this.series.t.push(this.now / 1000);
    this.series.viewers.push(this.activeCount);
    this.series.relays.push(serving);
    this.run0.activeRelaySeconds += (serving * this.config.periodMs) / 1000;
    if (this.config.forecasting) this.series.forecast.push(round(forecast, 1));
    this.run0.peakViewers = Math.max(this.run0.peakViewers, this.activeCount);
    this.progress();
  }

  private sample(): void {
    let viewers = 0;
    for (const streamId of this.streamIds) viewers += this.planner.viewerCount(streamId);
    for (const streamId of this.streamIds) {
      if (this.planner.viewerCount(streamId) === 0) continue;
      for (const shape of this.planner.shapes(streamId)) {
        // Hops from the origin: a head fed through stripe 0 is that many hops further down.
        const depth = shape.maxDepth + shape.feedHops;
        this.run0.maxDepth = Math.max(this.run0.maxDepth, depth);
        if (depth > shape.depthBound) this.run0.depthWithinBound = false;
        if (viewers > this.peakSampleViewers) {
          this.run0.depthBound = Math.max(shape.depthBound, 0);
          this.run0.meanFanout = shape.meanFanout;
        }
      }
    }
    this.peakSampleViewers = Math.max(this.peakSampleViewers, viewers);
    for (let n = 0; n < this.config.stretchSamples && this.activeCount > 0; n++) {
      const i = this.active[this.stretchRng.int(this.activeCount)] ?? 0;
      const s = this.trace.sessions.stream[i] ?? 0;
      const id = `v${i}`;
      const origin = originRegion(s);
      const direct = directRttMs(id, origin, this.where);
      for (let stripe = 0; stripe < this.config.stripes; stripe++) {
        const path = pathRttMs(this.planner, this.streamIds[s] as StreamId, stripe, id, origin, this.where);
        this.stretch.push(path / direct);
      }
    }
  }

  // ── bookkeeping ─────────────────────────────────────────────────────────────────────────

  /** Integrates origin egress up to `t`. */
  private advance(t: number): void {
    const dt = t - this.now;
    if (dt > 0) {
      for (const [s, streamId] of this.streamIds.entries()) {
        if (this.planner.viewerCount(streamId) === 0) continue;
        this.activeMs[s] = (this.activeMs[s] ?? 0) + dt;
        // As the product fetches: a whole copy per origin-fed relay, a stripe's share per viewer.
        const copies = this.planner.originCopies(streamId);
        this.originCopyMs[s] = (this.originCopyMs[s] ?? 0) + dt * copies;
      }
    }
    this.now = t;
  }

  /** Readiness of activated relays, and counts of what changed. */
  private absorb(changes: PlanChanges): void {
    for (const a of changes.activated) {
      const s = this.streamIds.indexOf(a.streamId);
      if (!a.nodeId.startsWith('r')) continue;
      this.readyAt[s]?.set(a.nodeId, this.now + this.config.activationMs);
      this.run0.activations++;
    }
    for (const r of changes.released) {
      if (!r.nodeId.startsWith('r')) continue;
      this.readyAt[this.streamIds.indexOf(r.streamId)]?.delete(r.nodeId);
      this.run0.deactivations++;
    }
    const edges = changes.edges ?? [];
    if (edges.length < 2) return;
    const removed = new Set<string>();
    for (const e of edges) if (e.op === 'remove') removed.add(`${e.streamId}\u0000${e.stripe}\u0000${e.to}`);
    for (const e of edges) {
      if (e.op === 'add' && removed.has(`${e.streamId}\u0000${e.stripe}\u0000${e.to}`))
        this.run0.reconfigurations++;
    }
  }

  private progress(): void {
    if (!this.hooks.onProgress || this.now - this.lastProgress < this.trace.durationMs / 20) return;
    this.lastProgress = this.now;
    this.hooks.onProgress(this.now / this.trace.durationMs);
  }

  private finish(): SimRun {
    if (this.config.sampleEveryMs >= 0) this.sample();
    let origin = 0;
    let active = 0;
    const perStream: Record<string, number> = {};
    for (const [s, streamId] of this.streamIds.entries()) {
      const ms = this.activeMs[s] ?? 0;
      origin += this.originCopyMs[s] ?? 0;
      active += ms;
      perStream[streamId] = ms > 0 ? round((this.originCopyMs[s] ?? 0) / ms) : 0;
    }
    let total = 0;
    let affected = 0;
    for (const w of this.withoutMs) {
      total += w;
      if (w > 0) affected++;
    }
    const timings = this.joinMicros.values();
    return {
      ...this.run0,
      config: this.config,
      originCopies: active > 0 ? round(origin / active) : 0,
      originCopiesPerStream: perStream,
      originCopiesIfWaitersUseHttp: active > 0 ? round((origin + total) / active) : 0,
      meanStretch: round(this.stretch.mean()),
      meanFanout: round(this.run0.meanFanout, 2),
      waitedMs: Math.round(this.run0.waitedMs),
      viewersWithoutParentMs: {
        total: Math.round(total),
        p99: Math.round(quantile(this.withoutMs.slice(), 0.99)),
        mean: round(total / Math.max(1, this.trace.sessions.count), 1),
        affected,
      },
      plannerP99Micros: round(quantile(timings, 0.99), 1),
      plannerMeanMicros: round(this.joinMicros.mean(), 1),
      plannerMaxMicros: round(this.joinMicros.max(), 1),
      violations: this.config.checkPlan ? planViolations(this.planner).slice(0, 20) : [],
      series: this.series,
    };
  }
}
