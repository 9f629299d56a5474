#!/bin/sh
# Joins the session's cgroup(s) and then becomes the sandbox, so that not a single instruction
# of the sandbox runs outside its limits. Usage: enter-cgroup.sh PROCS_FILE... -- COMMAND...
set -eu
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
  echo $$ > "$1"
  shift
done
shift
exec "$@"
