#!/usr/bin/env bash
# Server CPU per message (or per MiB): steadier than throughput on a shared
# machine, since it counts the server's own utime+stime, not wall time.
#   bench/cpu_cost.sh LABEL pingpong|stream|udp line|length|- SERVER-COMMAND...
# e.g. bench/cpu_cost.sh bun pingpong line node_modules/.bin/bun server.ts --port 0
#      bench/cpu_cost.sh bun udp - node_modules/.bin/bun udp.ts server --port 0
# Builds bench/out/loadgen first when it is missing (cc -O2 -o bench/out/loadgen bench/loadgen.c).
# With CPU=N in the environment, server and load generator both run on CPU N
# only (taskset), so a measurement run beside it on another CPU is not mixed in.
set -u
label=$1 mode=$2 framing=$3
shift 3
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/bench/build_loadgen.sh" || exit 1
pin=()
[ -n "${CPU:-}" ] && pin=(taskset -c "$CPU")
out=$(mktemp)
"${pin[@]}" "$@" >"$out" 2>/dev/null &
pid=$!
for _ in $(seq 100); do grep -q listening "$out" && break; sleep 0.1; done
port=$(grep -o ':[0-9]*$' "$out" | head -1 | tr -d :)
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
before=$(ticks)
if [ "$mode" = pingpong ]; then
  result=$("${pin[@]}" "$root/bench/out/loadgen" pingpong 127.0.0.1 "$port" 50 3 64 "$framing")
  units=$(echo "$result" | grep -o '"messages":[0-9]*' | cut -d: -f2)
  unit=message
elif [ "$mode" = udp ]; then
  result=$("${pin[@]}" "$root/bench/out/loadgen" udp 127.0.0.1 "$port" 50 3 64)
  units=$(echo "$result" | grep -o '"datagrams":[0-9]*' | cut -d: -f2)
  unit=datagram
else
  size=1024
  [ "$framing" = length ] && size=65536
  result=$("${pin[@]}" "$root/bench/out/loadgen" stream 127.0.0.1 "$port" 3 "$size" "$framing")
  units=$(($(echo "$result" | grep -o '"bytes_echoed":[0-9]*' | cut -d: -f2) / 1048576))
  unit=MiB
fi
after=$(ticks)
{ kill -9 "$pid" && wait "$pid"; } 2>/dev/null
rm -f "$out"
# Clock ticks are 10 ms: microseconds = ticks * 10000 / units.
echo "$label: $result"
awk -v label="$label" -v ticks=$((after - before)) -v units="$units" -v unit="$unit" \
  'BEGIN { printf "%s: %.2f us of server CPU per %s\n", label, ticks * 10000 / units, unit }'
