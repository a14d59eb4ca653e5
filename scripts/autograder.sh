#!/usr/bin/env bash
# autograder.sh NAME [BUILD] - package assignments/NAME as an upload-ready
# Gradescope autograder: BUILD/autograder-NAME.zip (and the folder it was
# made from, BUILD/autograder-NAME/) holding setup.sh, run_autograder and the
# forkbench sources they build and run. The reference solution and the
# known-bad submissions stay out: students must not see them.
set -euo pipefail
name=${1:?usage: autograder.sh ASSIGNMENT [BUILD]}
build=${2:-build}
cd "$(dirname "$0")/.."
[ -f "assignments/$name/spec.json" ] || { echo "autograder.sh: no assignments/$name/spec.json" >&2; exit 2; }

stage="$build/autograder-$name"
rm -rf "$stage" "$stage.zip"
mkdir -p "$stage/assignments/$name" "$stage/scripts"
# What `make all` compiles: the Makefile and the source folders it globs
# (its SRC_DIRS).
src_dirs=${SRC_DIRS:-$(sed -n 's/^SRC_DIRS := //p' Makefile)}
for part in Makefile $src_dirs; do
	[ -e "$part" ] && cp -R "$part" "$stage/"
done
cp scripts/deps.sh "$stage/scripts/"
for f in spec.json README.md; do
	[ -f "assignments/$name/$f" ] && cp "assignments/$name/$f" "$stage/assignments/$name/"
done

# Gradescope runs setup.sh once, as root, in the image (cwd /autograder/source).
cat >"$stage/setup.sh" <<'SETUP'
#!/usr/bin/env bash
# setup.sh - install the packages forkbench's grader needs and build it.
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq build-essential libbenchmark-dev libjansson-dev >/dev/null
make -j"$(nproc)" all
SETUP

# Gradescope copies run_autograder to /autograder/ and runs it per submission.
# AUTOGRADER_ROOT moves /autograder (submission/, results/), AUTOGRADER_SOURCE
# the built sources (default ROOT/source), for a try outside Gradescope;
# AUTOGRADER_UID gives the steps another uid (and gid) than the grader's
# default, for gradings that run side by side on one machine.
cat >"$stage/run_autograder" <<RUN
#!/usr/bin/env bash
# run_autograder - grade the submission of assignment $name into results.json.
set -uo pipefail
root=\${AUTOGRADER_ROOT:-/autograder}
source=\${AUTOGRADER_SOURCE:-\$root/source}
results="\$root/results/results.json"
mkdir -p "\$root/results"
"\$source/build/forkbench" grade --assignment $name "\$root/submission" --out "\$results" \\
	\${AUTOGRADER_UID:+--uid "\$AUTOGRADER_UID" --gid "\$AUTOGRADER_UID"} 2>"\$root/results/grader.err"
status=\$?
cat "\$root/results/grader.err" >&2
# The grader itself failed before writing: tell the student rather than nothing.
if [ ! -s "\$results" ]; then
	printf '{"score": 0, "output": "The grader failed (status %d); please tell the course staff.", "tests": []}\n' "\$status" >"\$results"
fi
exit \$status
RUN
chmod +x "$stage/setup.sh" "$stage/run_autograder"

if command -v zip >/dev/null 2>&1; then
	(cd "$stage" && zip -qr "../autograder-$name.zip" .)
	echo "$stage.zip"
else
	echo "autograder.sh: zip is not installed (Debian package zip): the autograder is the folder $stage" >&2
	echo "$stage"
fi
