#!/bin/sh
# No window manager in the sandbox: ask for a window as large as the display.
exec /usr/bin/xclock -update 1 -geometry "${VITRINE_WIDTH:-1280}x${VITRINE_HEIGHT:-720}+0+0" "$@"
