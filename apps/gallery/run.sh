#!/bin/sh
# The Gallery inside the session sandbox: its server on the sandbox's own loopback, then Chromium in
# kiosk mode showing the page. When Chromium exits the session ends (the sandbox takes the server
# with it); on `shutdown` the server exits by itself (README.md).
set -eu
port=8124
ready=/tmp/gallery.ready
rm -f "$ready"
node /app/server/main.ts --port "$port" --ready-file "$ready" &
server=$!
# Wait until it listens; give up if it died or after ~10 s.
i=0
while [ ! -s "$ready" ]; do
  kill -0 "$server" 2>/dev/null || { echo "run.sh: the gallery server did not start" >&2; exit 1; }
  i=$((i + 1))
  [ "$i" -lt 500 ] || { echo "run.sh: the gallery server did not answer in time" >&2; exit 1; }
  sleep 0.02
done
# The File Explorer's Chromium flags, measured there (apps/file-explorer/README.md, "Chromium flags"):
# the binary itself rather than Debian's launcher script; kiosk, no Chromium sandbox (the session's
# sandbox contains it), no GPU, nothing fetched in the background; one device pixel per CSS pixel
# (the viewer gets device pixels); --window-size is the start, the server then fits the window to
# the viewer. No sound flags: the gallery declares no audio.
exec /usr/lib/chromium/chromium \
  --kiosk --no-sandbox --disable-gpu --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir=/tmp/chromium --window-position=0,0 \
  --window-size="$VITRINE_WIDTH,$VITRINE_HEIGHT" --force-device-scale-factor=1 \
  --disable-extensions --disable-breakpad --no-default-browser-check --noerrdialogs \
  --disable-features=Translate,MediaRouter,OptimizationHints,AutofillServerCommunication,CertificateTransparencyComponentUpdater \
  --renderer-process-limit=1 --disk-cache-dir=/dev/null --password-store=basic --disable-dev-shm-usage \
  "http://127.0.0.1:$port/"
