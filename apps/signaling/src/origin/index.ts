export { startOrigin, type DemoOrigin, type OriginClock, type OriginOptions } from './origin-server.ts';
export {
  DEFAULT_MEDIA_DIR,
  loadClip,
  loopedSegment,
  type Clip,
  type ClipSegment,
  type ClipTrack,
} from './clip.ts';
export { LiveTimeline, type LiveWindow, type LiveTimelineOptions } from './live-timeline.ts';
export { ORIGIN_STREAMS, type OriginStats, type OriginStreamName, type StreamCounters } from './stats.ts';
export { OriginError, type OriginErrorKind } from './errors.ts';
export { readBoxes, findBoxes, type Box } from './iso-bmff.ts';
export { parseInit, parseFragment, type TrackInfo, type FragmentInfo } from './fmp4.ts';
