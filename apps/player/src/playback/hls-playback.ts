import type { Logger, StreamInfo } from '@p2pcdn/core';
import Hls, { Events, type ErrorData, type FragChangedData } from 'hls.js';
import { PlayerError } from '../page/player-error.ts';
import { createFragmentLoaderClass, type FragmentLoaderDeps } from './fragment-loader.ts';
import { decideHlsError } from './hls-errors.ts';

/**
 * hls.js and everything that touches it at run time, in one module of its own (and a chunk of its
 * own, preloaded by index.html). It is evaluated with the rest of the page's code after the early
 * start has sent the hello and join (see main.tsx): an evaluation in the middle of the WebRTC setup
 * held the parent's answer back by as long (40–70 ms here).
 */

/** What an hls.js playback reports to the session. */
export interface HlsPlaybackOptions {
  stream: StreamInfo;
  /** Fragments (and init segments) go through the P2P segment loader. */
  fragments: FragmentLoaderDeps;
  /** hls.js loaded the playlist. */
  onManifestLoaded: () => void;
  /** The segment at the playhead changed (file name and sequence number). */
  onSegment: (label: string) => void;
  /** Playback cannot go on (the session shows `error`). */
  onFatal: (error: PlayerError) => void;
  log: Logger;
}

/** One hls.js instance playing one stream. */
export interface HlsPlayback {
  attachMedia(video: HTMLVideoElement): void;
  detachMedia(): void;
  destroy(): void;
}

/** Whether this browser has what hls.js needs (Media Source Extensions). */
export function hlsSupported(): boolean {
  return Hls.isSupported();
}

/**
 * Starts loading `stream`'s playlist at once (no `<video>` needed yet); media is attached when
 * the page has it. Configured like plain hls.js (the benchmark's HTTP-only baseline uses the
 * defaults: same live start, buffer lengths and ABR), except that fragments arrive whole from the
 * P2P loader, the back buffer is bounded and a live duration is Infinity.
 */
export function startHlsPlayback(options: HlsPlaybackOptions): HlsPlayback {
  const { stream, log } = options;
  const hls = new Hls({
    fLoader: createFragmentLoaderClass(options.fragments),
    // Fragments arrive whole from peers; hls.js reads them from onProgress + onSuccess.
    progressive: false,
    backBufferLength: 30,
    // A live stream's duration is Infinity (with a seekable window), set once: otherwise hls.js
    // sets MediaSource.duration at every playlist refresh, a synchronous call that waits for the
    // media pipeline and makes the native controls lay out a new timeline.
    liveDurationInfinity: true,
    // The first fragment (and its init segment) is requested as soon as the playlist is parsed,
    // not at hls.js's next 100 ms tick after the MediaSource opens: P2P fragments wait in the
    // parent gate meanwhile, so the request is there the moment the parent's link opens.
    startFragPrefetch: true,
  });
  const origin = new URL(stream.url).host;
  let mediaRecoveries = 0;
  hls.on(Events.ERROR, (_event, data: ErrorData) => {
    const decision = decideHlsError(data, { mediaRecoveries, origin });
    switch (decision.action) {
      case 'ignore':
        log('hls.js %s (non-fatal): %s', data.type, data.details);
        return;
      case 'recover-media':
        log('recovering from media error %s', data.details);
        mediaRecoveries++;
        hls.recoverMediaError();
        return;
      case 'fail':
        log('hls.js fatal %s: %s', data.type, data.details);
        options.onFatal(decision.error);
        return;
    }
  });
  hls.once(Events.MANIFEST_LOADED, () => options.onManifestLoaded());
  hls.on(Events.FRAG_CHANGED, (_event, data: FragChangedData) => {
    const name = data.frag.url.split('/').pop()?.split('?')[0] ?? data.frag.url;
    options.onSegment(`${name} (#${data.frag.sn})`);
  });
  hls.loadSource(stream.url);
  return {
    attachMedia: (video) => hls.attachMedia(video),
    detachMedia: () => hls.detachMedia(),
    destroy: () => hls.destroy(),
  };
}

/** The error shown when the browser cannot play HLS at all. */
export function unsupportedError(): PlayerError {
  return new PlayerError(
    'unsupported',
    'This browser lacks Media Source Extensions, which the player needs to play HLS. Try a current Chrome, Edge or Firefox.',
  );
}
