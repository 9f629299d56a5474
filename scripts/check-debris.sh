#!/usr/bin/env bash
# Whether the test suite left anything behind on this machine.
#
#   scripts/check-debris.sh snapshot FILE   records what exists now (run before the tests)
#   scripts/check-debris.sh check FILE      prints each thing that exists now but not in FILE and
#                                           exits 1 if there is any (run after the tests)
#
# Looked at: processes (those whose command line names the repository or "vitrine", and the
# helpers the tests start: Xvfb, FFmpeg, coturn, PostgreSQL, Chromium, bubblewrap), folders and
# files the suite names in the temporary folder (and its X11 sockets), in /dev/shm and in the
# repository's var/,
# mounts, cgroups named vitrine* (v1 and v2) and network namespaces. What existed before the
# snapshot is never reported.
# Allowed on purpose: a PostgreSQL cluster of the Debian service (/var/lib/postgresql), which
# the suite does not start but a developer may; the v2 base group /sys/fs/cgroup/vitrine, made
# once per host by the server and shared by every instance (the groups inside it are checked).
# DEBRIS_IGNORE (an extended regex) skips further lines, e.g. a tool of your own writing to /tmp.
set -uo pipefail
export LC_ALL=C # one collation for sort and join

ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
TMP=${TMPDIR:-/tmp}
TMP=${TMP%/}
TOOLS='Xvfb|Xorg|ffmpeg|turnserver|coturn|postgres|postmaster|pg_ctl|chromium|chrome|chrome_crashpad_handler|headless_shell|bwrap|nsenter'

# The checker's own process tree is never debris: its ancestors (make, scripts/test.sh, …) and
# the commands it runs itself.
own_ancestors=" "
p=$$
while [ -n "$p" ] && [ "$p" != 0 ]; do
  own_ancestors+="$p "
  p=$(awk '{ sub(/.*\) /, ""); print $2 }' "/proc/$p/stat" 2>/dev/null)
done

is_own() { # is_own PID: the PID is this script or runs beneath it
  local q=$1
  while [ -n "$q" ] && [ "$q" != 0 ] && [ "$q" != 1 ]; do
    [ "$q" = $$ ] && return 0
    q=$(awk '{ sub(/.*\) /, ""); print $2 }' "/proc/$q/stat" 2>/dev/null)
  done
  return 1
}

# One line per thing: KIND<TAB>KEY<TAB>what to print. KEY identifies it across the two looks.
inventory() {
  local d
  # pid, parent, start time (so a reused pid is a new process), name, command line.
  ps -eo pid=,ppid=,lstart=,ucomm=,args= | awk -v own="$own_ancestors" '
    $2 == 2 || $1 == 2 || index(own, " " $1 " ") { next } # kernel threads; our own ancestors
    { cmd = $0; for (i = 0; i < 8; i++) sub(/^ *[^ ]+ +/, "", cmd)
      printf "process\t%s:%s-%s-%s-%s-%s\tprocess %s (parent %s, %s): %s\n", $1, $3, $4, $5, $6, $7, $1, $2, $8, cmd }'
  for d in "$TMP" "$TMP/.X11-unix" /dev/shm; do
    [ -d "$d" ] || continue
    # node-compile-cache: Node's own module cache (npm turns it on), shared by every node run.
    find "$d" -mindepth 1 -maxdepth 1 ! -name .X11-unix ! -name node-compile-cache -printf "path\t%p\t%y %p\n" 2>/dev/null
  done
  # The server's default data folder (DATA_DIR) inside the repository.
  [ -d "$ROOT/var" ] && find "$ROOT/var" -maxdepth 1 -printf "path\t%p\t%y %p\n" 2>/dev/null
  awk '{ printf "mount\t%s\tmount %s (%s)\n", $5, $5, $(NF - 2) }' /proc/self/mountinfo
  if [ -d /sys/fs/cgroup ]; then
    find /sys/fs/cgroup -type d -name 'vitrine*' -prune -printf '%p\n' 2>/dev/null | while read -r g; do
      if [ "$g" = /sys/fs/cgroup/vitrine ] || [ "$g" = /sys/fs/cgroup/unified/vitrine ]; then
        find "$g" -mindepth 1 -maxdepth 1 -type d -printf "cgroup\t%p\tcgroup %p\n"
      else
        printf 'cgroup\t%s\tcgroup %s\n' "$g" "$g"
      fi
    done
  fi
  if command -v ip >/dev/null; then
    ip netns list 2>/dev/null | awk '{ printf "netns\t%s\tnetwork namespace %s\n", $1, $1 }'
  fi
}

# Of what is new, what counts: every folder, file, mount, cgroup and namespace; of processes,
# those the suite could have started.
relevant() {
  local kind key what pid
  while IFS=$'\t' read -r kind key what; do
    if [ "$kind" = process ]; then
      pid=${key%%:*}
      [ -d "/proc/$pid" ] || continue # ended meanwhile
      is_own "$pid" && continue
      case $what in
        *" -D /var/lib/postgresql/"* | *"config_file=/etc/postgresql/"*) continue ;;
      esac
      if ! [[ $what == *"$ROOT"* || ${what,,} == *vitrine* || $what =~ ^process\ [0-9]+\ \(parent\ [0-9]+,\ ($TOOLS)\): ]]; then
        continue
      fi
    fi
    # iproute2 bind-mounts its folder of named namespaces on the first `ip netns add` and keeps it
    # for every later one; the namespaces themselves are checked.
    if [ "$kind" = mount ] && [ "$key" = /run/netns ]; then continue; fi
    # The temporary folders are shared with whatever else runs on the machine: of their entries,
    # only names the suite and the programs it starts make count (every test folder is vitrine-*;
    # Xvfb's locks and sockets, Chromium's and Playwright's files, PostgreSQL's sockets, mktemp's).
    if [ "$kind" = path ] && [[ $key != "$ROOT/"* && $key != "$TMP/.X11-unix/"* ]]; then
      case ${key##*/} in
        vitrine* | .X*-lock | .org.chromium.* | playwright* | .s.PGSQL.* | tmp.* | dbg-* | turn*) ;;
        *) continue ;;
      esac
    fi
    if [ "$kind" = path ]; then
      case ${what%% *} in
        d) what="folder ${what#* }" ;;
        f) what="file ${what#* }" ;;
        s) what="socket ${what#* }" ;;
        l) what="symlink ${what#* }" ;;
        *) what="entry ${what#* }" ;;
      esac
    fi
    if [ -n "${DEBRIS_IGNORE:-}" ] && [[ $what =~ $DEBRIS_IGNORE ]]; then continue; fi
    [ ${#what} -gt 240 ] && what="${what:0:240} …"
    printf '%s\n' "$what"
  done
}

case ${1:-} in
  snapshot)
    [ -n "${2:-}" ] || { echo "usage: $0 snapshot FILE" >&2; exit 2; }
    inventory >"$2"
    ;;
  check)
    [ -r "${2:-}" ] || { echo "usage: $0 check SNAPSHOT (made by: $0 snapshot FILE)" >&2; exit 2; }
    # What is being torn down right now (a SIGKILLed child, an unmount) gets a few seconds.
    for attempt in 1 2 3 4 5 6; do
      left=$(join -t $'\t' -v 1 \
        <(inventory | awk -F'\t' '{ print $1 ":" $2 "\t" $3 }' | sort -u -t $'\t' -k1,1) \
        <(awk -F'\t' '{ print $1 ":" $2 }' "$2" | sort -u) |
        while IFS=$'\t' read -r id what; do printf '%s\t%s\t%s\n' "${id%%:*}" "${id#*:}" "$what"; done | relevant)
      [ -z "$left" ] && { echo "debris: nothing left behind"; exit 0; }
      [ $attempt -lt 6 ] && sleep 1
    done
    echo "debris: the tests left these behind (not there before the suite started):"
    printf '%s\n' "$left" | sed 's/^/  /'
    exit 1
    ;;
  *)
    echo "usage: $0 snapshot FILE | check FILE" >&2
    exit 2
    ;;
esac
