#!/usr/bin/env bash
# precision.sh BUILD_DIR - how far this machine lets forkbench be trusted:
# RUNS (default 3) consecutive runs of the fork and vfork round trips at 0
# and 1 MiB with the cases measured twice (clone, clone3, fork from the
# threads worker after thread cases changed it) and the bare loops, then
# `forkbench precision` over them: consistency pairs, overhead against the
# bare loop, spread of the medians beside the floor's, interval coverage.
# Extra arguments go to every `forkbench run` (e.g. --placement free).
set -euo pipefail
build=${1:-build}
shift || true
runs=${RUNS:-3}
filter='^(spawn/(fork|vfork|clone|clone3)/|threads/(pthread_create_join|pthread_touch_stack_256k|fork_exit_wait)/|calibrate/bare_)'
folders=()
for i in $(seq 1 "$runs"); do
	echo "precision: run $i of $runs" >&2
	out=$("$build/forkbench" run --filter "$filter" --sizes 0,1 --repetitions 9 "$@" | tail -n 20)
	folder=$(sed -n 's/^run folder: //p' <<<"$out")
	[ -n "$folder" ] || { echo "precision: run $i wrote no run folder" >&2; exit 1; }
	folders+=("$folder")
done
"$build/forkbench" precision "${folders[@]}"
