#!/usr/bin/env bash
# Builds bench/out/loadgen when it is missing, as npm run bench does, so the
# CPU-cost scripts run on a fresh clone.
root=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$root/bench/out/loadgen" ] && exit 0
mkdir -p "$root/bench/out"
if ! cc -O2 -o "$root/bench/out/loadgen" "$root/bench/loadgen.c"; then
  echo "cannot build bench/out/loadgen: a C compiler (cc) is needed (apt-get install gcc)" >&2
  exit 1
fi
