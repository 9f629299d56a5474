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
# The app finds its sound output at start (Chromium probes it once): wait for its socket, ≤ 5 s.
if [ -x /run/vitrine/sound-server ]; then
  i=0
  while [ ! -S /run/vitrine/audio/native ] && [ "$i" -lt 250 ]; do i=$((i + 1)); sleep 0.02; done
fi
echo ready
exec "$@" >/dev/null 2>/run/vitrine/log/app.log
