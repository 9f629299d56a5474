#!/usr/bin/env bash
# Regenerates the seccomp allow-lists (server/src/sandbox/syscalls/*.txt) from what sandboxed programs
# really call: runs COMMAND (tests that make the bundled apps do real work) with every bubblewrap
# sandbox it starts under strace, the init helper told not to enforce its lists
# (--syscalls-permissive: the escape syscalls stay refused, everything else is allowed), then adds
# the syscalls seen to the lists (scripts/trace-syscalls.ts sorts them by list).
#
#   scripts/trace-syscalls.sh [--fresh] [--keep] -- COMMAND [ARGS...]
#
#   --fresh   replace the lists instead of adding to them: then trace every bundled app in one run
#   --keep    keep the raw traces (their folder is printed) instead of removing them
#
# e.g. scripts/trace-syscalls.sh --fresh -- npx vitest run --project e2e e2e/file-explorer.e2e.test.ts ...
# (docs/security.md names the tests used). Needs root, since strace follows bubblewrap into its
# namespaces, and strace (installed with apt-get if missing).
# With --fresh every syscall stops the traced program (Chromium then runs many times slower and
# tests with tight time limits fail: the lists miss what they did not reach). Without it, what
# base.txt already allows is left out of the trace (strace --seccomp-bpf: those run at full speed),
# so a second run without --fresh adds what the slow first one missed. Only base's names can be
# left out: it is the one list every sandbox has, so nothing it allows can be missing elsewhere.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd -P)

fresh=()
keep=0
while [ $# -gt 0 ]; do
  case $1 in
    --fresh) fresh=(--fresh) ;;
    --keep) keep=1 ;;
    --) shift; break ;;
    *) echo "usage: $0 [--fresh] [--keep] -- COMMAND [ARGS...]" >&2; exit 2 ;;
  esac
  shift
done
[ $# -gt 0 ] || { echo "usage: $0 [--fresh] [--keep] -- COMMAND [ARGS...]" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "$0: needs root (strace must follow bubblewrap into its namespaces)" >&2; exit 1; }
command -v strace >/dev/null || apt-get install -y strace >/dev/null
real_bwrap=$(command -v bwrap) || { echo "$0: bwrap not found" >&2; exit 1; }
filter=""
if [ ${#fresh[@]} = 0 ]; then
  # base's names, but never those that start processes: the trace needs them to follow the tree.
  known=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$ROOT/server/src/sandbox/syscalls/base.txt" |
    grep -vxE '|execve|execveat|clone|clone3|fork|vfork' | paste -sd, -)
  filter="--seccomp-bpf -e trace=!$known"
fi

traces=$(mktemp -d "${TMPDIR:-/tmp}/vitrine-syscall-trace.XXXXXX")
cleanup() { if [ "$keep" = 1 ]; then echo "traces kept in $traces"; else rm -rf "$traces"; fi; }
trap cleanup EXIT
mkdir "$traces/bin"
# The server runs "bwrap" from PATH (BWRAP_PATH's default): this one comes first. A sandbox gets a
# folder of per-process traces; other calls (bwrap --version) go straight to bubblewrap.
cat >"$traces/bin/bwrap" <<EOF
#!/bin/sh
case " \$* " in *" -- /run/vitrine/sandbox-init "*) ;; *) exec "$real_bwrap" "\$@" ;; esac
dir=\$(mktemp -d "$traces/sandbox.XXXXXX")
# The helper is the command after bubblewrap's first "--": --syscalls-permissive goes right after it.
state=options
for a; do
  [ "\$state" = options ] && { set --; state=copy; }
  set -- "\$@" "\$a"
  if [ "\$state" = copy ] && [ "\$a" = -- ]; then state=helper
  elif [ "\$state" = helper ]; then set -- "\$@" --syscalls-permissive; state=rest; fi
done
exec strace -ff -qq --pidns-translation -e signal=none $filter -s 256 -o "\$dir/t" "$real_bwrap" "\$@"
EOF
chmod +x "$traces/bin/bwrap"

command_line=$(printf '%q ' "$@")
echo "tracing: $command_line"
status=0
PATH="$traces/bin:$PATH" "$@" || status=$?
[ "$status" = 0 ] || echo "$0: the command failed ($status); the lists are made from what ran anyway" >&2
node "$ROOT/scripts/trace-syscalls.ts" "${fresh[@]}" "$traces" "${command_line% }"
