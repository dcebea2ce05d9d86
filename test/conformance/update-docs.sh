#!/usr/bin/env bash
# update-docs.sh - copy the conformance docs generated in a build folder into docs/.
#
# The ctest `conformance-suite` writes BUILD_DIR/test/conformance/docs/
# {conformance,ops}.md (never the source tree); this copies them to docs/ so
# they can be committed. Run the ctest first:
#   ctest --test-dir BUILD_DIR -R conformance-suite && test/conformance/update-docs.sh BUILD_DIR
#
# usage: update-docs.sh BUILD_DIR
set -eu
if [ $# -ne 1 ]; then
  echo "usage: update-docs.sh BUILD_DIR" >&2
  exit 2
fi
src=$1/test/conformance/docs
root=$(cd "$(dirname "$0")/../.." && pwd)
for f in conformance.md ops.md; do
  if [ ! -f "$src/$f" ]; then
    echo "update-docs.sh: $src/$f not found; run ctest -R conformance-suite in $1 first" >&2
    exit 1
  fi
done
cp "$src/conformance.md" "$src/ops.md" "$root/docs/"
echo "copied conformance.md and ops.md from $src to $root/docs/"
