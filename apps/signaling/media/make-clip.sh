#!/bin/sh
# Regenerates the demo origin's sample clip (apps/signaling/media/clip/): 32 s of testsrc2 with a
# burned-in running timecode and a two-tone beep, 854x480 at 25 fps, H.264 Main with a keyframe every
# 2 s exactly, AAC-LC stereo at 48 kHz, about 1 Mbit/s in all, packaged as VOD HLS in fMP4
# (init.mp4 + seg-N.m4s, 2 s segments).
#
# Why 32 s and not 30 s: an AAC frame is 1024 samples, so at 48 kHz a clip holds a whole number of
# audio frames only if its length is a multiple of 1024/48000 s; 32 s (1500 frames, 800 video
# frames, 16 segments) is the shortest multiple of 2 s that also is. The live origin loops the clip
# and shifts every loop by the clip's per-track duration, so a whole number of audio frames keeps
# audio and video in step forever.
#
# The AAC encoder prepends 1024 samples of priming (skipped by the init segment's edit list), so
# the audio input is cut 1024 samples short: priming plus audio then fill exactly 1500 frames, and
# the audio track lasts exactly as long as the video track (32 s).
#
# This script is documentation, not a build step: the origin serves the committed files and never
# runs ffmpeg. Run it by hand (Debian's ffmpeg with libx264 and libfreetype) and commit the result.
# Usage: sh apps/signaling/media/make-clip.sh [output-dir]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/clip"}
font=/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf
duration=32
seg=2
fps=25
rate=48000
audio_samples=$((duration * rate - 1024))

mkdir -p "$out"
rm -f "$out"/init.mp4 "$out"/seg-*.m4s "$out"/index.m3u8

if [ -f "$font" ]; then
  # Running timecode, frame number and a label, so a viewer can see the picture advance and loop.
  text="fontfile=$font:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=8"
  vf="drawtext=$text:fontsize=44:x=(w-tw)/2:y=h*0.40:text='%{pts\\:hms}'"
  vf="$vf,drawtext=$text:fontsize=24:x=(w-tw)/2:y=h*0.40+64:text='frame %{frame_num}'"
  vf="$vf,drawtext=$text:fontsize=20:x=16:y=h-th-16:text='p2pcdn demo clip'"
else
  echo "make-clip: $font not found, no burned-in timecode" >&2
  vf=null
fi

# Left 440 Hz, right 660 Hz, each beeping once a second (sine's beep_factor), merged to stereo.
ffmpeg -hide_banner -loglevel warning -y \
  -f lavfi -i "testsrc2=size=854x480:rate=$fps:duration=$duration" \
  -f lavfi -i "sine=frequency=440:beep_factor=2:sample_rate=$rate:duration=$duration" \
  -f lavfi -i "sine=frequency=660:beep_factor=2:sample_rate=$rate:duration=$duration" \
  -filter_complex "[0:v]$vf,format=yuv420p[v];[1:a][2:a]join=inputs=2:channel_layout=stereo,atrim=end_sample=$audio_samples[a]" \
  -map "[v]" -map "[a]" \
  -c:v libx264 -profile:v main -preset slow -b:v 850k -maxrate 1000k -bufsize 1000k \
  -g $((seg * fps)) -keyint_min $((seg * fps)) -sc_threshold 0 \
  -force_key_frames "expr:gte(t,n_forced*$seg)" \
  -c:a aac -b:a 128k -ar $rate -ac 2 \
  -f hls -hls_time $seg -hls_playlist_type vod -hls_segment_type fmp4 \
  -hls_fmp4_init_filename init.mp4 -hls_segment_filename "$out/seg-%d.m4s" \
  "$out/index.m3u8"

ls -l "$out"
