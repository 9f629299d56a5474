#!/usr/bin/env bash
# What laying the watermark over every frame costs the encoder: 600 frames of a moving 720p test
# picture through libx264 (ultrafast, zerolatency, as media/encoder.ts), with the overlay of one
# full-frame yuva420p picture repeated (as the encoder does: overlay=eof_action=repeat) or without.
#   farm-bench -n 5 --vs 'bench/watermark-overlay.sh off' -- bench/watermark-overlay.sh on
set -euo pipefail
stamps=$(mktemp /tmp/vitrine-wm-XXXXXX.yuva)
trap 'rm -f "$stamps"' EXIT
ffmpeg -v error -y -f lavfi -i "color=black@0:s=1280x720,format=yuva420p" -frames:v 1 -f rawvideo -pix_fmt yuva420p "$stamps"
encode=(-pix_fmt yuv420p -c:v libx264 -preset ultrafast -tune zerolatency -f null -)
if [ "${1:-on}" = on ]; then
  ffmpeg -v error -f rawvideo -pix_fmt yuva420p -video_size 1280x720 -i "$stamps" \
    -f lavfi -i testsrc2=s=1280x720:r=30 -frames:v 600 \
    -filter_complex "[1:v][0:v]overlay=eof_action=repeat:format=yuv420[out]" -map "[out]" "${encode[@]}"
else
  ffmpeg -v error -f lavfi -i testsrc2=s=1280x720:r=30 -frames:v 600 "${encode[@]}"
fi
