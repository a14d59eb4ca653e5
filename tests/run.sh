#!/usr/bin/env bash
# run.sh BUILD_DIR - run every test program in BUILD_DIR/tests, echo its TAP,
# and close with "N passed, N failed, N skipped". Exit 1 when a test point
# failed, a program crashed, or its plan does not match its test points.
set -u
build=${1:-build}
pass=0 fail=0 skip=0
for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	echo "# $(basename "$t")"
	out=$("$t" 2>&1); rc=$?
	printf '%s\n' "$out"
	p=$(grep -cE '^ok [0-9]+' <<<"$out")
	s=$(grep -cE '^ok [0-9]+ .*# SKIP' <<<"$out")
	f=$(grep -cE '^not ok [0-9]+' <<<"$out")
	plan=$(grep -oE '^1\.\.[0-9]+$' <<<"$out" | tail -1 | cut -d. -f3)
	pass=$((pass + p - s)) skip=$((skip + s)) fail=$((fail + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $(basename "$t") exited with status $rc"; fail=$((fail + 1))
	elif [ "${plan:-x}" != "$((p + f))" ]; then
		echo "not ok - $(basename "$t"): plan ${plan:-missing}, ran $((p + f))"; fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
