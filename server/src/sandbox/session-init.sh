#!/bin/sh
# First process inside a session sandbox: starts the private X display, reports readiness
# on stdout, then becomes the app. When the app exits, bubblewrap's init ends the sandbox
# and the kernel kills everything left in its PID namespace (Xvfb included).
set -eu
width=$1 height=$2
shift 2
# A session with sound: its sound server (server/src/audio/sound-server.sh) starts alongside Xvfb.
if [ -x /run/vitrine/sound-server ]; then /run/vitrine/sound-server >/dev/null & fi
# -displayfd writes the display number once Xvfb accepts connections; `read` blocks on it.
{ Xvfb :0 -screen 0 "${width}x${height}x24" -fbdir /run/vitrine/fb -auth /run/vitrine/xauth -nolisten tcp -noreset \
    -extension GLX -dpi 96 -displayfd 3 3>&1 1>/dev/null 2>/run/vitrine/log/xvfb.log & } | read -r _display
# The sound server may still be starting (≈ 1 s on a loaded machine): an app that opens its sound
# output once at start waits for $PULSE_SERVER's socket itself, while it does its own starting.
echo ready
exec "$@" >/dev/null 2>/run/vitrine/log/app.log
