#!/bin/sh
# Prepares what a container leaves out, then becomes the server (tini, PID 1, passes signals on).
set -eu

# cgroup v2 in the pod's own cgroup namespace: the server makes the sessions' groups beneath its
# root, but v2 hands controllers to child groups only while no process sits in the parent (the
# "no internal processes" rule). So every process moves into a leaf first, as nested container
# runtimes do; `kubectl exec` then joins that leaf too. On a cgroup v1 node there is nothing to do
# (and the server's cgroup check says what is missing).
cg=/sys/fs/cgroup
if [ -f "$cg/cgroup.controllers" ] && [ -w "$cg/cgroup.subtree_control" ]; then
  mkdir -p "$cg/init"
  while read -r pid; do
    # A process may have exited since the list was read.
    echo "$pid" >"$cg/init/cgroup.procs" 2>/dev/null || :
  done <"$cg/cgroup.procs"
  if ! echo "+memory +pids +cpu" >"$cg/cgroup.subtree_control"; then
    echo "entrypoint: cannot enable memory, pids and cpu for the sessions' cgroups in $cg" >&2
    exit 1
  fi
fi

exec /opt/vitrine/vitrine serve
