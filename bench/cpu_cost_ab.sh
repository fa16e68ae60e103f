#!/usr/bin/env bash
# Server CPU of two source trees measured at the same time, round after round:
# both runs see the same noise, so the ratio B/A is steadier than two figures
# taken one after the other (on a shared VM those differed by 20% where the
# side-by-side ratio differed by 2%).
#   bench/cpu_cost_ab.sh TREE_A TREE_B ROUNDS pingpong|stream|udp line|length|- SERVER-COMMAND...
# e.g. bench/cpu_cost_ab.sh /tmp/base . 8 stream line node_modules/.bin/bun server.ts --port 0
# SERVER-COMMAND runs inside each tree (its script is that tree's); its first
# word, when a path that exists here, is taken from this tree.
# Prints "A B B/A" per round, then the median ratio.
# COMMAND_A="..." runs that command (split at spaces) for A instead, so a
# server can be set beside a different one, e.g. the runtime's raw echo:
#   COMMAND_A="node_modules/.bin/bun bench/raw_echo_bun.ts tcp" PIN=1 \
#     bench/cpu_cost_ab.sh . . 10 pingpong line node_modules/.bin/bun server.ts --port 0
# PIN=1 gives each tree's server and load generator a CPU of their own (A on
# 0 and B on 1, swapped every round). On a 2-core VM, pinned rounds of one
# server against itself ranged 0.89-1.06; unpinned rounds of two nearly
# identical servers ranged 0.72-1.27 in the same hour.
set -u
a=$1 b=$2 rounds=$3 mode=$4 framing=$5
shift 5
root=$(cd "$(dirname "$0")/.." && pwd)
command=("$@")
# The runtime is this tree's, so a worktree without node_modules works too.
[ -x "$root/${command[0]}" ] && command[0]="$root/${command[0]}"
command_a=("${command[@]}")
if [ -n "${COMMAND_A:-}" ]; then
  read -ra command_a <<<"$COMMAND_A"
  [ -x "$root/${command_a[0]}" ] && command_a[0]="$root/${command_a[0]}"
fi
out=$(mktemp -d)
# Once, before the rounds, so the two runs of the first round do not both build it.
bash "$root/bench/build_loadgen.sh" || exit 1
for round in $(seq "$rounds"); do
  cpu_a= cpu_b=
  if [ -n "${PIN:-}" ]; then cpu_a=$((round % 2)) cpu_b=$((1 - round % 2)); fi
  (cd "$a" && CPU=$cpu_a bash "$root/bench/cpu_cost.sh" A "$mode" "$framing" "${command_a[@]}" | tail -1) >"$out/a" &
  (cd "$b" && CPU=$cpu_b bash "$root/bench/cpu_cost.sh" B "$mode" "$framing" "${command[@]}" | tail -1) >"$out/b" &
  wait
  x=$(awk '{print $2}' "$out/a") y=$(awk '{print $2}' "$out/b")
  awk -v x="$x" -v y="$y" 'BEGIN { printf "%s %s %.3f\n", x, y, y / x }' | tee -a "$out/ratios"
done
sort -n -k3 "$out/ratios" | awk '{ r[NR] = $3 } END { printf "median B/A: %.3f over %d rounds\n", (NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2), NR }'
rm -rf "$out"
