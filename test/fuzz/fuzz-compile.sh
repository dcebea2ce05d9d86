#!/usr/bin/env bash
# fuzz-compile.sh - hostile models must give an error, never a crash.
#
# Compiles seeded mutants of each seed model (mutate.mjs) and fails if any
# compile ends with a status other than 0 (compiled) or 1 (reported error),
# i.e. a signal, an abort or a timeout. Output files go to WORKDIR only.
#
# usage: fuzz-compile.sh SMELT WORKDIR COUNT SEED_MODEL...
set -u
smelt=$1 work=$2 count=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work"
crashes=0 total=0 seed=1
for model in "$@"; do
  node "$here/mutate.mjs" "$model" "$work/mutants/$seed" "$seed" "$count"
  for mutant in "$work/mutants/$seed"/*.onnxtxt; do
    total=$((total + 1))
    timeout 120 "$smelt" compile "$mutant" -o "$work/out.so" > "$work/log" 2>&1
    rc=$?
    if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
      crashes=$((crashes + 1))
      echo "CRASH (status $rc): $mutant"
      grep -m3 -E 'error|Assert|#[0-9]+ ' "$work/log" | sed 's/^/    /'
    fi
  done
  seed=$((seed + 1))
done
echo "fuzz-compile: $((total - crashes)) passed, $crashes failed"
[ $crashes -eq 0 ]
