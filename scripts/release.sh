#!/usr/bin/env bash
# Tags a release in the current git checkout: vX.Y.Z (annotated, on HEAD) and moves vX to it, then
# pushes both to the remote (default origin). Refuses, before tagging anything, a version that is
# not semver, not newer than the newest release, already tagged, or has no CHANGELOG.md section.
#   scripts/release.sh 1.2.0 [remote]
set -euo pipefail
version="${1:-}"
remote="${2:-origin}"
fail() { echo "release: $*; nothing was tagged." >&2; exit 1; }

[[ "$version" =~ ^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$ ]] ||
  fail "version '$version' is not MAJOR.MINOR.PATCH (e.g. 1.2.0, no v, no pre-release)"
major="v${BASH_REMATCH[1]}"
tag="v$version"

git fetch --quiet --tags --force "$remote"
git rev-parse -q --verify "refs/tags/$tag" >/dev/null && fail "$tag exists already"
newest="$(git tag --list 'v*.*.*' | grep -E '^v[0-9]+\.[0-9]+\.[0-9]+$' | sort -V | tail -1 || true)"
if [[ -n "$newest" && "$(printf '%s\n%s\n' "$newest" "$tag" | sort -V | tail -1)" != "$tag" ]]; then
  fail "$tag is not newer than the newest release $newest"
fi
grep -qE "^## \[$version\] - [0-9]{4}-[0-9]{2}-[0-9]{2}$" CHANGELOG.md ||
  fail "CHANGELOG.md has no '## [$version] - YYYY-MM-DD' section"
[[ -f dist/index.js ]] || fail "dist/index.js is missing: the action runs from the committed bundle"

git tag -a "$tag" -m "ha-django-deploy $tag"
git tag -f -a "$major" -m "ha-django-deploy $major (moves to each $major.x.y release; now $tag)" "$tag^{commit}" >/dev/null
git push --quiet "$remote" "refs/tags/$tag"
git push --quiet --force "$remote" "refs/tags/$major"
echo "release: tagged $tag at $(git rev-parse --short "$tag^{commit}") and moved $major to it${newest:+ (previous release $newest)}"
