#!/usr/bin/env bash
# deps.sh - install the Debian packages forkbench needs; a no-op when all are
# present. Usage: scripts/deps.sh [extra-package ...]
set -euo pipefail

packages=(build-essential libbenchmark-dev libjansson-dev gnuplot-nox hyperfine linux-perf zip unzip "$@")
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	as_root=()
elif command -v sudo >/dev/null 2>&1; then
	as_root=(sudo)
else
	echo "deps.sh: missing packages: ${missing[*]}; run as root or install sudo, or: apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
