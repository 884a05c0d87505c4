import type { LiveWindow } from './live-timeline.ts';

/** EXT-X-TARGETDURATION: every EXTINF, rounded to the nearest integer, must not exceed it. */
export function targetDuration(durations: readonly number[]): number {
  return Math.max(1, ...durations.map((d) => Math.round(d)));
}

function header(target: number, mediaSequence: number): string[] {
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${target}`,
    `#EXT-X-MEDIA-SEQUENCE:${mediaSequence}`,
    '#EXT-X-INDEPENDENT-SEGMENTS',
    '#EXT-X-MAP:URI="init.mp4"',
  ];
}

function entry(sequence: number, duration: number): string[] {
  return [`#EXTINF:${duration.toFixed(6)},`, `seg-${sequence}.m4s`];
}

/** The on-demand playlist of the clip: every segment, EXT-X-PLAYLIST-TYPE:VOD and ENDLIST. */
export function vodPlaylist(durations: readonly number[]): string {
  const lines = header(targetDuration(durations), 0);
  lines.splice(4, 0, '#EXT-X-PLAYLIST-TYPE:VOD');
  durations.forEach((duration, index) => lines.push(...entry(index, duration)));
  lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

/** The live playlist for `window`: its segments from `first` to `last`, no ENDLIST. */
export function livePlaylist(
  window: LiveWindow,
  durationOf: (sequence: number) => number,
  target: number,
): string {
  const lines = header(target, window.first);
  for (let sequence = window.first; sequence <= window.last; sequence += 1) {
    lines.push(...entry(sequence, durationOf(sequence)));
  }
  return `${lines.join('\n')}\n`;
}
