#!/bin/sh
# The File Explorer inside the session sandbox: its server on the sandbox's own loopback, then
# Chromium in kiosk mode showing the UI. When Chromium exits the session ends (and the sandbox
# takes the server with it). Flags: see README.md (measured).
set -eu
port=8123
ready=/tmp/explorer.ready
rm -f "$ready"
# Its server as scripts/setup.sh built it into JavaScript, or its sources (server-main.sh says why).
main=$(/app/server-main.sh /app)
node "$main" --port "$port" --ready-file "$ready" &
server=$!
# Wait until it listens (Node needs ~100 ms); give up if it died or after ~10 s.
i=0
while [ ! -s "$ready" ]; do
  kill -0 "$server" 2>/dev/null || { echo "run.sh: the explorer server did not start" >&2; exit 1; }
  i=$((i + 1))
  [ "$i" -lt 500 ] || { echo "run.sh: the explorer server did not answer in time" >&2; exit 1; }
  sleep 0.02
done
# Chromium opens its sound output once, at start: wait for the session's sound server (started with
# the display, in parallel with the server above), ≤ 5 s.
if [ -n "${PULSE_SERVER:-}" ]; then
  sound=${PULSE_SERVER#unix:}
  i=0
  while [ ! -S "$sound" ] && [ "$i" -lt 250 ]; do i=$((i + 1)); sleep 0.02; done
fi
# --- chromium ---
# Debian's Chromium binary itself: its /usr/bin/chromium launcher only adds a shell, Google API keys
# and flags that matter on a desktop. Required flags first, then what measured smaller (README.md).
# Sound goes to the session's sound server (PULSE_SERVER, set by the sandbox; Chromium's PulseAudio
# output); a preview plays when opened, without waiting for a click inside the app.
exec /usr/lib/chromium/chromium \
  --kiosk --no-sandbox --disable-gpu --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir=/tmp/chromium --window-position=0,0 \
  --window-size="$VITRINE_WIDTH,$VITRINE_HEIGHT" --force-device-scale-factor=1 \
  --disable-extensions --disable-breakpad --no-default-browser-check --noerrdialogs \
  --disable-features=Translate,MediaRouter,OptimizationHints,AutofillServerCommunication,CertificateTransparencyComponentUpdater \
  --renderer-process-limit=1 --disk-cache-dir=/dev/null --password-store=basic --disable-dev-shm-usage \
  --autoplay-policy=no-user-gesture-required \
  "http://127.0.0.1:$port/"
