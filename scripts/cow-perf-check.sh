#!/usr/bin/env bash
# cow-perf-check.sh BUILD_DIR OUT_JSON [SIZE_MIB] - cross-check the suite's
# COW fault count with `perf stat -e minor-faults`, a counter that shares
# none of our code. perf counts the whole process tree (region set-up,
# start-up, the fork), so the probe runs twice with everything equal but
# the child's writes: child_write_all minus child_read_only is what the
# writes cost, by perf's count; the suite's own count comes from the first
# run. Writes OUT_JSON (through a temp file); exit 0 also when perf is
# unusable here, with the reason in the JSON.
set -uo pipefail
build=${1:?usage: cow-perf-check.sh BUILD_DIR OUT_JSON [SIZE_MIB]}
out=${2:?usage: cow-perf-check.sh BUILD_DIR OUT_JSON [SIZE_MIB]}
mib=${3:-64}
probe="$build/fb-cow-probe"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

emit() {   # verdict perf_faults suite_faults expected summary [raw perf lines, JSON]
	printf '{"case": "cow/child_write_all/mem_mib:%s/mode:4k", "verdict": "%s", "perf_minor_faults": %s, "suite_faults": %s, "faults_expected": %s, "summary": "%s", "perf_raw": {%s}}\n' \
		"$mib" "$1" "$2" "$3" "$4" "$5" "${6:-}" >"$tmp/out.json" && mv "$tmp/out.json" "$out"
}

# perf stat -j: one JSON object per event, kept as perf wrote it (raw
# counts for whoever re-reads them); "<not supported>" when denied.
perf_faults() {   # case -> "perf_count suite_perf suite_rusage expected"; raw line in $tmp/CASE.json
	perf stat -j -e minor-faults -o "$tmp/perf.json" -- "$probe" "$mib" "$1" >"$tmp/suite.txt" 2>"$tmp/err.txt" || return 1
	grep -m1 '"event" : "minor-faults"' "$tmp/perf.json" >"$tmp/$1.json" || return 1
	local count
	count=$(sed -n 's/.*"counter-value" : "\([0-9]*\)\(\.[0-9]*\)\{0,1\}".*/\1/p' "$tmp/$1.json")
	[[ "$count" =~ ^[0-9]+$ ]] || return 1
	echo "$count $(cat "$tmp/suite.txt")"
}

if ! command -v perf >/dev/null 2>&1; then
	emit "not run" null null null "perf is not installed (Debian package linux-perf)"; exit 0
fi
if ! write=$(perf_faults child_write_all) || ! read=$(perf_faults child_read_only); then
	why=$(head -c 200 "$tmp/err.txt" "$tmp/perf.json" 2>/dev/null | tr -d '"\\\n' )
	emit "not run" null null null "perf stat could not count minor-faults here: ${why:-no count}"; exit 0
fi
read -r perf_w suite_perf suite_rusage expected <<<"$write"
read -r perf_r _ _ _ <<<"$read"
perf_cow=$((perf_w - perf_r))
suite=$([ "$suite_perf" -ge 0 ] 2>/dev/null && echo "$suite_perf" || echo "$suite_rusage")
# Slack: outside its window the write case also reads its mapping back
# (a mincore vector and an smaps buffer: about ten pages, 9 seen here).
diff=$((perf_cow > suite ? perf_cow - suite : suite - perf_cow))
verdict=$([ "$diff" -le 32 ] && echo agrees || echo disagrees)
emit "$verdict" "$perf_cow" "$suite" "$expected" \
	"perf stat -e minor-faults counted $perf_cow COW faults for a child writing every page of $mib MiB (4 KiB pages; child_write_all minus child_read_only, $perf_w - $perf_r); the suite counted $suite, expected $expected: $verdict." \
	"\"child_write_all\": $(cat "$tmp/child_write_all.json"), \"child_read_only\": $(cat "$tmp/child_read_only.json")"
