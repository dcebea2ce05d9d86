#!/usr/bin/env bash
# run-node-tests.sh - compile and check ONNX backend node tests end to end.
#
# Selects every case under DATA whose model uses only the operators listed in
# OPS (as `smelt inspect` reports them), compiles it to a shared library,
# runs each test_data_set_* through the runtime and compares with the
# expected outputs (rtol 1e-3, atol 1e-7: the ONNX backend's defaults).
# Cases listed in XFAIL (name + reason) must fail; any other failure, or an
# expected failure that passes, fails this script.
#
# usage: run-node-tests.sh SMELT DATA OPS XFAIL WORKDIR
set -u
smelt=$1 data=$2 ops_file=$3 xfail_file=$4 work=$5
mkdir -p "$work"
ops=" $(grep -v '^#' "$ops_file" | tr '\n' ' ') "

# One case: prints "PASS name" or "FAIL name: reason".
check_case() {
  local dir=$1 name lib out
  name=$(basename "$dir")
  lib="$work/$name.so"
  if ! out=$(timeout 300 "$smelt" compile "$dir/model.onnx" -o "$lib" 2>&1); then
    echo "FAIL $name: compile: $(echo "$out" | grep -m1 -E 'error' | sed 's/^.*error: //')"
    return
  fi
  for set in "$dir"/test_data_set_*; do
    if ! out=$(timeout 120 "$smelt" run "$lib" --check "$set" 2>&1); then
      echo "FAIL $name: $(basename "$set"): $(echo "$out" | grep -m1 -E 'FAIL|error' | sed 's/^output //')"
      rm -f "$lib"
      return
    fi
  done
  rm -f "$lib"
  echo "PASS $name"
}
export -f check_case
export smelt work

# Select cases by their operator histogram.
selected=()
for dir in "$data"/test_*; do
  [ -f "$dir/model.onnx" ] || continue
  used=$("$smelt" inspect "$dir/model.onnx" 2>/dev/null | sed -n '/^operators:/,/^unsupported/p' |
         sed '1d;$d' | awk '{print $1}')
  [ -n "$used" ] || continue
  ok=1
  for op in $used; do
    case "$ops" in *" $op "*) ;; *) ok=0; break ;; esac
  done
  [ $ok = 1 ] && selected+=("$dir")
done

results=$(printf '%s\n' "${selected[@]}" | xargs -P "$(nproc)" -I{} bash -c 'check_case "$@"' _ {} | sort)
echo "$results" > "$work/results.txt"

passed=0 failed=0 xfailed=0 xpassed=0
while read -r status rest; do
  name=${rest%%:*}
  expected=$(grep -E "^$name( |$)" "$xfail_file" 2>/dev/null | head -1)
  if [ "$status" = PASS ]; then
    if [ -n "$expected" ]; then
      echo "UNEXPECTED PASS $name (listed in $(basename "$xfail_file"); remove it)"
      xpassed=$((xpassed + 1))
    else
      passed=$((passed + 1))
    fi
  else
    if [ -n "$expected" ]; then
      echo "expected failure: $rest"
      xfailed=$((xfailed + 1))
    else
      echo "FAILED $rest"
      failed=$((failed + 1))
    fi
  fi
done <<< "$results"
echo "node tests using the milestone operators: ${#selected[@]} selected, $xfailed expected failures"
echo "conformance: $passed passed, $((failed + xpassed)) failed"
[ $((failed + xpassed)) -eq 0 ]
