import { useEffect, useState, type RefObject } from 'react';

/**
 * The `<video>`: muted, inline and autoplaying so playback starts without a gesture (also in
 * headless Chromium), with a button to turn the sound on.
 */
export function VideoSurface({
  videoRef,
  hidden,
}: {
  videoRef: RefObject<HTMLVideoElement | null>;
  hidden: boolean;
}) {
  const [muted, setMuted] = useState(true);

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    const sync = (): void => setMuted(video.muted);
    video.addEventListener('volumechange', sync);
    return () => video.removeEventListener('volumechange', sync);
  }, [videoRef]);

  const unmute = (): void => {
    const video = videoRef.current;
    if (!video) return;
    video.muted = false;
    if (video.volume === 0) video.volume = 1;
  };

  return (
    <div className="video-frame" hidden={hidden}>
      <video ref={videoRef} data-testid="video" muted autoPlay playsInline controls />
      {muted && (
        <button type="button" className="unmute" data-testid="unmute-button" onClick={unmute}>
          <MutedIcon /> Unmute
        </button>
      )}
    </div>
  );
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
