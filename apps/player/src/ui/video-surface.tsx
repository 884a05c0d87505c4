import { useEffect, useLayoutEffect, useRef, useState } from 'react';

/**
 * Shows the session's `<video>` (created muted, inline and autoplaying before the page rendered,
 * see `createVideoElement`), with a button to turn the sound on. The element is moved into the
 * frame, not recreated: it may already be playing.
 */
export function VideoSurface({ video, hidden }: { video: HTMLVideoElement; hidden: boolean }) {
  const frameRef = useRef<HTMLDivElement>(null);
  const [muted, setMuted] = useState(video.muted);

  // Before paint, so the element never shows outside its frame once the page is there.
  useLayoutEffect(() => {
    const frame = frameRef.current;
    if (!frame) return;
    frame.prepend(video);
    return () => video.remove();
  }, [video]);

  useEffect(() => {
    const sync = (): void => setMuted(video.muted);
    sync();
    video.addEventListener('volumechange', sync);
    return () => video.removeEventListener('volumechange', sync);
  }, [video]);

  return (
    <div className="video-frame" ref={frameRef} hidden={hidden}>
      {muted && (
        <button type="button" className="unmute" data-testid="unmute-button" onClick={() => unmute(video)}>
          <MutedIcon /> Unmute
        </button>
      )}
    </div>
  );
}

/** Turns the sound on (the element belongs to the session, not to React). */
function unmute(video: HTMLVideoElement): void {
  video.muted = false;
  if (video.volume === 0) video.volume = 1;
}

/** A speaker with a cross (inline, so it renders without an emoji font). */
function MutedIcon() {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M4 9h4l5-4v14l-5-4H4z" fill="currentColor" />
      <path d="M16 9l5 6M21 9l-5 6" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
    </svg>
  );
}
