#!/usr/bin/env bash
# deps.sh - install the Debian packages forkbench needs; a no-op when all are
# present. Usage: scripts/deps.sh [extra-package ...]
set -euo pipefail

packages=(build-essential libbenchmark-dev libjansson-dev gnuplot-nox hyperfine zip unzip "$@")
# perf: Debian's linux-perf; Ubuntu has none of that name, its perf comes with
# the running kernel's linux-tools. perf is optional (the run leaves its
# cross-check out, saying why), so a kernel without tools is not an error.
. /etc/os-release 2>/dev/null || true
if [ "${ID:-debian}" = ubuntu ]; then
	perf_packages=(linux-tools-common "linux-tools-$(uname -r)")
else
	perf_packages=(linux-perf)
fi
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=() perf_missing=()
for p in "${packages[@]}"; do installed "$p" || missing+=("$p"); done
for p in "${perf_packages[@]}"; do installed "$p" || perf_missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && [ ${#perf_missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	as_root=()
elif command -v sudo >/dev/null 2>&1; then
	as_root=(sudo)
else
	echo "deps.sh: missing packages: ${missing[*]} ${perf_missing[*]}; run as root or install sudo, or: apt-get install ${missing[*]} ${perf_missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps.sh: installing ${missing[*]}" >&2
	"${as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ ${#perf_missing[@]} -gt 0 ]; then
	echo "deps.sh: installing ${perf_missing[*]} (perf)" >&2
	"${as_root[@]}" apt-get install -y -qq "${perf_missing[@]}" >/dev/null ||
		echo "deps.sh: perf could not be installed (${perf_missing[*]}): runs leave the perf cross-check out" >&2
fi
