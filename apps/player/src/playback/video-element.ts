/**
 * The `<video>` the session plays into. The session creates it before the page renders, so that
 * hls.js can attach and buffer without waiting for React; the page adopts the element into its
 * layout later (moving a playing media element within the document does not pause it). Muted,
 * inline and autoplaying so playback starts without a gesture (also in headless Chromium).
 */
export function createVideoElement(doc: Document): HTMLVideoElement {
  const video = doc.createElement('video');
  video.dataset.testid = 'video';
  video.muted = true;
  // The attribute as well as the property: React's markup had it, and CSS or tests may look.
  video.setAttribute('muted', '');
  video.autoplay = true;
  video.playsInline = true;
  video.controls = true;
  return video;
}
