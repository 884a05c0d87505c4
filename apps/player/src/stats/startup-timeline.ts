import type { SegmentSource } from '@p2pcdn/core';

/**
 * The steps of a player's start, in the order they usually happen. Signalling and playback run
 * in parallel, so the actual order varies; each step is recorded once, the first time it happens.
 */
export const STARTUP_STEPS = [
  /** The player's JavaScript started running (all chunks fetched and parsed). */
  'bundle-start',
  /** The `/peer` socket to the coordinator is connected. */
  'socket-connected',
  /** The stream's playlist URL is known (stream API or join ack, whichever answered first). */
  'stream-info',
  /** The coordinator answered the hello. */
  'welcome',
  /** The coordinator acknowledged the join. */
  'join-ack',
  /** The first assignment naming at least one parent arrived. */
  'parents',
  /** The first parent link opened. */
  'parent-connected',
  /** hls.js loaded the playlist. */
  'manifest-loaded',
  /** The init segment reached hls.js (detail: source). */
  'init-segment',
  /** The first media segment reached hls.js (detail: source, load time). */
  'first-fragment',
  /** The `<video>` has its first frame's data. */
  'loadeddata',
  /** Playback started: the first frame is shown. */
  'first-frame',
] as const;

/** One startup step. */
export type StartupStep = (typeof STARTUP_STEPS)[number];

/** Optional facts about a step (segment steps say where the bytes came from and how long it took). */
export interface StepDetail {
  source?: SegmentSource;
  /** The peer that served the segment. */
  peerId?: string;
  /** How long the step itself took (e.g. a segment's load time), ms. */
  tookMs?: number;
}

/** One recorded step: `atMs` is milliseconds since page start (`performance.now()`). */
export interface TimelineEntry extends StepDetail {
  step: StartupStep;
  atMs: number;
}

/**
 * Records when each startup step first happened on an injected clock (`performance.now()` in
 * the page, so times count from navigation), for `window.__p2pcdn.timeline`, the stats panel and
 * the benchmark. Later occurrences of a step are ignored: the timeline describes the start only.
 */
export class StartupTimeline {
  private readonly entries = new Map<StartupStep, TimelineEntry>();

  constructor(private readonly now: () => number) {}

  /** Records `step` now (or at `atMs`) unless it was already recorded; returns whether it was new. */
  mark(step: StartupStep, detail: StepDetail = {}, atMs: number = this.now()): boolean {
    if (this.entries.has(step)) return false;
    this.entries.set(step, { step, atMs: Math.round(atMs), ...roundDetail(detail) });
    return true;
  }

  /** Whether `step` has been recorded. */
  has(step: StartupStep): boolean {
    return this.entries.has(step);
  }

  /** When `step` happened, ms since page start, if it did. */
  at(step: StartupStep): number | undefined {
    return this.entries.get(step)?.atMs;
  }

  /** The recorded steps in time order (ties in {@link STARTUP_STEPS} order). */
  list(): TimelineEntry[] {
    const order = (step: StartupStep): number => STARTUP_STEPS.indexOf(step);
    return [...this.entries.values()]
      .map((entry) => ({ ...entry }))
      .sort((a, b) => a.atMs - b.atMs || order(a.step) - order(b.step));
  }
}

function roundDetail(detail: StepDetail): StepDetail {
  return {
    ...(detail.source === undefined ? {} : { source: detail.source }),
    ...(detail.peerId === undefined ? {} : { peerId: detail.peerId }),
    ...(detail.tookMs === undefined ? {} : { tookMs: Math.round(detail.tookMs) }),
  };
}

/** Short labels for the stats panel. */
const LABELS: Record<StartupStep, string> = {
  'bundle-start': 'script',
  'socket-connected': 'socket',
  'stream-info': 'stream',
  welcome: 'welcome',
  'join-ack': 'joined',
  parents: 'parents',
  'parent-connected': 'parent up',
  'manifest-loaded': 'playlist',
  'init-segment': 'init',
  'first-fragment': 'segment',
  loadeddata: 'data',
  'first-frame': 'frame',
};

/** One line per entry for the panel: `label`, time, and the detail (`p2p 120 ms`). */
export function describeEntry(entry: TimelineEntry): { label: string; atMs: number; detail: string } {
  const parts: string[] = [];
  if (entry.source !== undefined) parts.push(entry.source);
  if (entry.tookMs !== undefined) parts.push(`${entry.tookMs} ms`);
  return { label: LABELS[entry.step], atMs: entry.atMs, detail: parts.join(' ') };
}
