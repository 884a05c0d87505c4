import type { StreamId } from '../protocol/index.ts';

/** The coordinator's load marks (measured upload ÷ declared upload capacity). */
export interface LoadMarks {
  high: number;
  low: number;
}

/** Cumulative upload counters at one instant (a heartbeat). */
export interface UploadSample {
  /** Time of the sample (ms, the agent's clock). */
  at: number;
  /** Bytes uploaded to peers since the node started. */
  uploadBytes: number;
  /** The same per stream, when the engine splits it. */
  streams: ReadonlyArray<{ streamId: StreamId; uploadBytes: number }>;
}

/** What the node should ask the coordinator. */
export interface LoadRequest {
  type: 'distribute' | 'consolidate';
  streamId: StreamId;
  /** Measured upload ÷ declared capacity over the window. */
  load: number;
}

export interface LoadWatchOptions {
  /** Upload is measured over this long (ms); nothing is asked before a window is full. */
  windowMs: number;
  /** While the load stays past a mark, the request is repeated at most this often (ms). */
  retryMs: number;
  /**
   * Share of the band between the marks the load must come back by before a crossing counts
   * again (hysteresis). Default 0.25.
   */
  rearm?: number;
}

type Zone = 'ok' | 'high' | 'low';

/**
 * Decides when a node asks to *distribute* or *consolidate* (claims 14–15): it measures the
 * node's upload rate over a sliding window of heartbeats against its declared capacity and
 * asks once when the load crosses the high-water mark (or, for relays, the low-water mark),
 * again only every `retryMs` while it stays there, and once more only after the load came back
 * into the band by a margin: not on every heartbeat. Pure: the agent feeds it samples.
 */
export class LoadWatch {
  private samples: UploadSample[] = [];
  private zone: Zone = 'ok';
  private askedAt = Number.NEGATIVE_INFINITY;
  private readonly rearm: number;

  constructor(private readonly options: LoadWatchOptions) {
    this.rearm = options.rearm ?? 0.25;
    if (!(options.windowMs > 0 && options.retryMs >= 0)) {
      throw new RangeError('windowMs must be positive and retryMs non-negative');
    }
  }

  /** The load over the current window, once it is full (else `undefined`). */
  get load(): number | undefined {
    return this.current?.load;
  }

  private current: { load: number; perStream: Map<StreamId, number> } | undefined;

  /**
   * Adds a heartbeat's counters and returns the request to send now, if any. `streams`: the
   * streams the node is in; `relay`: whether it may be consolidated (viewers never are).
   */
  sample(
    sample: UploadSample,
    marks: LoadMarks,
    capacityKbps: number,
    streams: readonly StreamId[],
    relay: boolean,
  ): LoadRequest | undefined {
    this.samples.push(sample);
    while (this.samples.length > 2 && (this.samples[1]?.at ?? 0) <= sample.at - this.options.windowMs) {
      this.samples.shift();
    }
    const first = this.samples[0];
    if (!first || capacityKbps <= 0) return undefined;
    const spanMs = sample.at - first.at;
    if (spanMs < this.options.windowMs) return undefined;
    const kbps = (bytes: number): number => (Math.max(0, bytes) * 8) / spanMs; // bytes/ms·8 = kbit/s
    const load = kbps(sample.uploadBytes - first.uploadBytes) / capacityKbps;
    const perStream = new Map<StreamId, number>();
    for (const s of sample.streams) {
      const before = first.streams.find((f) => f.streamId === s.streamId)?.uploadBytes ?? 0;
      perStream.set(s.streamId, kbps(s.uploadBytes - before) / capacityKbps);
    }
    this.current = { load, perStream };
    return this.decide(sample.at, load, perStream, marks, streams, relay ? streams : []);
  }

  /** Forgets the window (e.g. after the node's streams changed wholesale). */
  reset(): void {
    this.samples = [];
    this.current = undefined;
    this.zone = 'ok';
    this.askedAt = Number.NEGATIVE_INFINITY;
  }

  private decide(
    now: number,
    load: number,
    perStream: Map<StreamId, number>,
    marks: LoadMarks,
    streams: readonly StreamId[],
    served: readonly StreamId[],
  ): LoadRequest | undefined {
    const margin = (marks.high - marks.low) * this.rearm;
    let zone: Zone = 'ok';
    if (load >= marks.high) zone = 'high';
    else if (load <= marks.low && served.length > 0) zone = 'low';
    else if (this.zone === 'high' && load > marks.high - margin)
      zone = 'high'; // not yet re-armed
    else if (this.zone === 'low' && load < marks.low + margin && served.length > 0) zone = 'low';
    const crossed = zone !== this.zone;
    const armed = zone === 'high' ? load >= marks.high : load <= marks.low;
    this.zone = zone;
    if (zone === 'ok' || !armed) return undefined;
    if (!crossed && now - this.askedAt < this.options.retryMs) return undefined;
    const streamId = zone === 'high' ? busiest(perStream, streams) : quietest(perStream, served);
    if (streamId === undefined) return undefined;
    this.askedAt = now;
    return { type: zone === 'high' ? 'distribute' : 'consolidate', streamId, load: round3(load) };
  }
}

/** The stream with the most upload (the one whose children can move). */
function busiest(perStream: Map<StreamId, number>, streams: readonly StreamId[]): StreamId | undefined {
  let best: StreamId | undefined;
  let most = 0;
  for (const [id, load] of perStream) {
    if (load > most && streams.includes(id)) {
      best = id;
      most = load;
    }
  }
  // Engines that do not split their counters per stream: only a node in one stream can tell.
  return best ?? (perStream.size === 0 && streams.length === 1 ? streams[0] : undefined);
}

/** The served stream with the least upload (the cheapest to merge away). */
function quietest(perStream: Map<StreamId, number>, served: readonly StreamId[]): StreamId | undefined {
  let best: StreamId | undefined;
  let least = Number.POSITIVE_INFINITY;
  for (const id of served) {
    const load = perStream.get(id) ?? 0;
    if (load < least) {
      best = id;
      least = load;
    }
  }
  return best;
}

function round3(x: number): number {
  return Math.min(100, Math.round(x * 1000) / 1000);
}
