/**
 * Publishes the player's figures for tests and benchmarks.
 *
 * `window.__p2pcdn` is a plain object (a fresh copy, replaced about once a second) of type
 * {@link PlayerFigures}:
 *
 * ```ts
 * {
 *   nodeId: string | null,        // coordinator-assigned id, null until the hello is answered
 *   streamId: string | null,      // from ?stream=
 *   phase: 'list' | 'connecting' | 'loading' | 'playing' | 'error',
 *   startupMs: number | null,     // page start → first frame (playing / moving timeupdate after loadeddata)
 *   stalls: number,               // `waiting` events after start, seeks excluded
 *   p2pBytes: number,             // segment bytes from peers
 *   httpBytes: number,            // segment bytes from the origin over HTTP
 *   uploadBytes: number,          // segment bytes relayed to children
 *   p2pShare: number,             // p2pBytes / (p2pBytes + httpBytes), 0..1
 *   bufferSec: number,            // media buffered ahead of the playhead
 *   playedSec: number,            // seconds the playhead advanced by playing
 *   peers: Array<{ id, role: 'parent' | 'child', state: 'connecting' | 'connected',
 *                  bytesIn, bytesOut, rttMs: number | null }>,
 *   parents: string[],            // parents the coordinator assigned
 *   originAllowed: boolean,       // coordinator lets this tab use the origin directly
 *   currentSegment: string | null,// segment at the playhead, e.g. "seg-00042.m4s (#42)"
 *   timeline: Array<{ step, atMs, source?, peerId?, tookMs? }>,
 *                                 // startup steps (ms since page start), time order; steps in
 *                                 // stats/startup-timeline.ts: bundle-start, socket-connected,
 *                                 // stream-info, welcome, join-ack, parents, parent-connected,
 *                                 // manifest-loaded, init-segment, first-fragment, loadeddata,
 *                                 // first-frame
 *   stallLog: Array<{ atMs, currentTime, parents, lastFragment?: { sn, source, tookMs, atMs } }>,
 *                                 // the latest 20 stalls: what the tab knew when each began
 *   updatedAt: number,            // Date.now() of the refresh
 *   error?: string,               // the message shown on the page, when stopped on an error
 *   errorKind?: 'unsupported' | 'bad-request' | 'coordinator-unreachable' | 'join-refused'
 *             | 'unknown-stream' | 'origin-unreachable' | 'media',
 * }
 * ```
 *
 * `data-testid`s on the page (figures also carry the raw number in `data-value`):
 * - `player-page`, with `data-phase` = the phase above
 * - `player-error` (the error message, with `data-kind`), `player-notice` (a passing problem)
 * - `stream-list` (the page without `?stream=`), `stream-link` (one per stream, `data-stream-id`)
 * - `video` (the `<video>` element), `unmute-button`
 * - `stats-panel`, `stat-p2p-share`, `stat-p2p-bytes`, `stat-http-bytes`, `stat-upload-bytes`,
 *   `stat-buffer`, `stat-startup`, `stat-stalls`, `stat-played`, `stat-node-id`, `stat-parents`,
 *   `stat-segment`; `startup-timeline` (collapsed; one `li` per step with `data-step`, `data-value`)
 * - `peer-table`, `peer-row` (one per neighbour, with `data-peer-id` and `data-role`)
 */
import type { PlayerFigures } from './figures.ts';

declare global {
  interface Window {
    /** The player's figures, for Playwright tests and benchmarks; see `stats/publish.ts`. */
    __p2pcdn?: PlayerFigures;
  }
}

/** Replaces `window.__p2pcdn` with a copy of `figures`. */
export function publishFigures(figures: PlayerFigures): void {
  window.__p2pcdn = structuredClone(figures);
}
