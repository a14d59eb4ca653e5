#!/usr/bin/env bash
# run.sh BUILD_DIR [TEST...] - run every test program in BUILD_DIR/tests (or
# only the ones named, e.g. test_cow), echo its TAP, and close with
# "N passed, N failed, N skipped". Exit 1 when a test point failed, a
# program crashed or timed out, or its plan does not match its test points.
#
# Each program runs in a process group of its own under a deadline
# (TEST_TIMEOUT seconds, default 900; the slowest, test_grade, takes about
# 3 minutes beside two CPU hogs): past it the whole group is killed and the
# program fails, so a test that waits on a leaked process (the very bug it
# looks for) is a failure, not a hang.
set -u
build=${1:-build}
shift || true
limit=${TEST_TIMEOUT:-900}
pass=0 fail=0 skip=0

# The programs to run: all, or those named (with or without "test_").
programs() {
	if [ $# -eq 0 ]; then
		printf '%s\n' "$build"/tests/test_*
		return
	fi
	for name in "$@"; do
		name=${name#test_}
		[ -x "$build/tests/test_$name" ] || { echo "run.sh: no test program $build/tests/test_$name" >&2; exit 2; }
		echo "$build/tests/test_$name"
	done
}
list=$(programs "$@") || exit 2
# The output goes to a file, not a pipe: a leaked process holding the
# pipe open would keep a $(...) reading after the test itself was killed.
log=$(mktemp) || exit 1
trap 'rm -f "$log"' EXIT

for t in $list; do
	[ -x "$t" ] || continue
	echo "# $(basename "$t")"
	start=$SECONDS
	# timeout puts itself and the test in a new process group and, past the
	# deadline, signals the group (TERM, then KILL 10 s later).
	timeout --kill-after=10 "$limit" "$t" >"$log" 2>&1 </dev/null; rc=$?
	out=$(cat "$log")
	printf '%s\n' "$out"
	echo "# $(basename "$t"): $((SECONDS - start)) s"
	p=$(grep -cE '^ok [0-9]+' <<<"$out")
	s=$(grep -cE '^ok [0-9]+ .*# SKIP' <<<"$out")
	f=$(grep -cE '^not ok [0-9]+' <<<"$out")
	plan=$(grep -oE '^1\.\.[0-9]+$' <<<"$out" | tail -1 | cut -d. -f3)
	pass=$((pass + p - s)) skip=$((skip + s)) fail=$((fail + f))
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "not ok - $(basename "$t") timed out after $limit s (its process group was killed)"; fail=$((fail + 1))
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $(basename "$t") exited with status $rc"; fail=$((fail + 1))
	elif [ "${plan:-x}" != "$((p + f))" ]; then
		echo "not ok - $(basename "$t"): plan ${plan:-missing}, ran $((p + f))"; fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
