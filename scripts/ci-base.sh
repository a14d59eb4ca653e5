#!/usr/bin/env bash
# ci-base.sh DEFAULT_BRANCH [CANDIDATE...] - print the base revision a CI
# regression check compares HEAD with (the CI recipes' `git worktree add
# ../base`): the first candidate that is a commit here (a pull request's
# base, the push's previous head), else the commit where HEAD left the
# default branch (git merge-base, after fetching it), else HEAD's parent.
# The first push of a new branch has no previous head (GitHub's
# github.event.before and GitLab's CI_COMMIT_BEFORE_SHA are 40 zeros), and
# a force push's may be gone: those candidates are passed over. The choice
# and why go to stderr, for the job's log.
set -uo pipefail
default=${1:?usage: ci-base.sh DEFAULT_BRANCH [CANDIDATE...]}
shift

for candidate in "$@"; do
	if [[ -z "$candidate" || "$candidate" =~ ^0+$ ]]; then
		echo "ci-base: '$candidate' names no commit (the first push of a branch)" >&2
	elif sha=$(git rev-parse --verify --quiet "$candidate^{commit}"); then
		echo "ci-base: base $sha, given" >&2
		echo "$sha"
		exit 0
	else
		echo "ci-base: $candidate is not a commit in this clone (a force push's old head?)" >&2
	fi
done
# A shallow or single-branch checkout may lack the default branch: fetch it.
git fetch --quiet origin "+refs/heads/$default:refs/remotes/origin/$default" 2>/dev/null ||
	echo "ci-base: cannot fetch $default from origin; using what this clone has" >&2
head=$(git rev-parse HEAD) || exit 1
if sha=$(git merge-base "origin/$default" HEAD 2>/dev/null) && [ "$sha" != "$head" ]; then
	echo "ci-base: base $sha, where HEAD left $default" >&2
	echo "$sha"
	exit 0
fi
# On the default branch itself (or with no common history): the parent.
if sha=$(git rev-parse --verify --quiet "HEAD~1^{commit}"); then
	echo "ci-base: base $sha, HEAD's parent" >&2
	echo "$sha"
	exit 0
fi
echo "ci-base: no base revision: HEAD is a root commit and no candidate names a commit" >&2
exit 1
