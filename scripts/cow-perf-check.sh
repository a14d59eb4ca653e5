#!/usr/bin/env bash
# cow-perf-check.sh BUILD_DIR OUT_JSON [SIZE_MIB] - cross-check the suite's
# COW fault count with `perf stat -e minor-faults`, a counter that shares
# none of our code. perf counts the whole process tree (region set-up,
# start-up, the fork), so the probe runs twice with everything equal but
# the child's writes: child_write_all minus child_read_only is what the
# writes cost, by perf's count; the suite's own count comes from the first
# run. Writes OUT_JSON (through a temp file); exit 0 also when perf is
# unusable here, with the reason in words in the JSON. perf's own output
# (its stderr and its -j lines) goes to stdout, for the run's perf-stat.log.
#
# A normal user under perf_event_paranoid 2 may not count kernel-mode
# events: perf then counts minor-faults:u, the faults taken in user mode.
# The child's writes fault in user mode, so the COW faults are all there;
# the JSON records the event as perf named it and "counts": "user-only".
set -uo pipefail
build=${1:?usage: cow-perf-check.sh BUILD_DIR OUT_JSON [SIZE_MIB]}
out=${2:?usage: cow-perf-check.sh BUILD_DIR OUT_JSON [SIZE_MIB]}
mib=${3:-64}
probe="$build/fb-cow-probe"
paranoid=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo unknown)
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

json_text() {   # text -> a JSON string, or null when empty
	[ -n "$1" ] || { echo null; return; }
	printf '"%s"' "$(printf '%s' "$1" | tr -d '\000-\037' | sed 's/\\/\\\\/g; s/"/\\"/g')"
}

emit() {   # verdict event counts perf_faults suite_faults expected reason summary [raw perf lines, JSON]
	printf '{"case": "cow/child_write_all/mem_mib:%s/mode:4k", "verdict": "%s", "event": %s, "counts": %s, "perf_minor_faults": %s, "suite_faults": %s, "faults_expected": %s, "reason": %s, "summary": %s, "perf_raw": {%s}}\n' \
		"$mib" "$1" "$(json_text "$2")" "$(json_text "$3")" "$4" "$5" "$6" "$(json_text "$7")" \
		"$(json_text "$8")" "${9:-}" >"$tmp/out.json" && mv "$tmp/out.json" "$out"
}

not_run() {   # reason: the JSON of a cross-check perf could not make
	emit "not run" "" "" null null null "$1" "perf stat cross-check not run: $1."
	exit 0
}

# Why perf stat gave no count for case $1 (exit status $2), in words:
# perf's own output stays in perf-stat.log, never in the reason.
why_no_count() {
	if grep -qi 'perf_event_paranoid\|Permission denied\|Access to performance monitoring' "$tmp/err.txt"; then
		echo "permission: perf_event_paranoid is $paranoid and uid $(id -u) has no CAP_PERFMON, so perf may not count minor-faults here"
	elif grep -q '<not supported>' "$tmp/perf.json" 2>/dev/null; then
		echo "this kernel does not support the software event minor-faults (perf: not supported)"
	elif grep -q '<not counted>' "$tmp/perf.json" 2>/dev/null; then
		echo "perf opened minor-faults but never counted it (perf: not counted)"
	elif grep -q '^fb-cow-probe: ' "$tmp/err.txt"; then
		echo "the COW probe failed ($(grep -m1 '^fb-cow-probe: ' "$tmp/err.txt" | cut -c15-200)) under perf stat"
	else
		echo "perf stat exited with status $2 and no minor-faults count for $1 (perf's output: perf-stat.log)"
	fi
}

# perf stat -j: one JSON object per event, kept as perf wrote it (raw
# counts for whoever re-reads them). The event may carry modifiers that
# perf chose itself (minor-faults:u): any are accepted, and recorded.
perf_faults() {   # case -> "perf_count suite_perf suite_rusage expected"; raw line in $tmp/CASE.json, event in $tmp/event
	local status=0 count
	perf stat -j -e minor-faults -o "$tmp/perf.json" -- "$probe" "$mib" "$1" >"$tmp/suite.txt" 2>"$tmp/err.txt" || status=$?
	{ echo "== perf stat -j -e minor-faults -- fb-cow-probe $mib $1: exit status $status"; cat "$tmp/err.txt" "$tmp/perf.json" 2>/dev/null; } >&3
	grep -m1 -E '"event" : "minor-faults(:[a-zA-Z]+)?"' "$tmp/perf.json" >"$tmp/$1.json" 2>/dev/null
	count=$(sed -n 's/.*"counter-value" : "\([0-9]*\)\(\.[0-9]*\)\{0,1\}".*/\1/p' "$tmp/$1.json")
	if [ "$status" -ne 0 ] || ! [[ "$count" =~ ^[0-9]+$ ]]; then
		why_no_count "$1" "$status" >"$tmp/why.txt"
		return 1
	fi
	sed -n 's/.*"event" : "\([^"]*\)".*/\1/p' "$tmp/$1.json" >"$tmp/event"
	echo "$count $(cat "$tmp/suite.txt")"
}

exec 3>&1
command -v perf >/dev/null 2>&1 || not_run "perf is not installed (Debian package linux-perf)"
[ -x "$probe" ] || not_run "the COW probe fb-cow-probe is not built in $build (make)"
if ! write=$(perf_faults child_write_all) || ! read=$(perf_faults child_read_only); then
	not_run "$(cat "$tmp/why.txt")"
fi
read -r perf_w suite_perf suite_rusage expected <<<"$write"
read -r perf_r _ _ _ <<<"$read"
event=$(cat "$tmp/event")
perf_cow=$((perf_w - perf_r))
suite=$([ "$suite_perf" -ge 0 ] 2>/dev/null && echo "$suite_perf" || echo "$suite_rusage")
# Slack: outside its window the write case also reads its mapping back
# (a mincore vector and an smaps buffer: about ten pages, 9 seen here).
diff=$((perf_cow > suite ? perf_cow - suite : suite - perf_cow))
verdict=$([ "$diff" -le 32 ] && echo agrees || echo disagrees)
# perf's modifiers: u alone (no k) counts user mode only.
mods=${event#minor-faults}
if [[ "$mods" == *u* && "$mods" != *k* ]]; then
	counts="user-only"
	scope="user-only: $event, as perf_event_paranoid $paranoid keeps uid $(id -u) from counting kernel-mode events; the child's writes fault in user mode, so every COW fault is among them"
else
	counts="user and kernel"
	scope="in user and kernel mode: $event"
fi
emit "$verdict" "$event" "$counts" "$perf_cow" "$suite" "$expected" "" \
	"perf stat counted $perf_cow COW faults ($scope) for a child writing every page of $mib MiB (4 KiB pages; child_write_all minus child_read_only, $perf_w - $perf_r); the suite counted $suite, expected $expected: $verdict." \
	"\"child_write_all\": $(cat "$tmp/child_write_all.json"), \"child_read_only\": $(cat "$tmp/child_read_only.json")"
