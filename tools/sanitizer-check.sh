#!/usr/bin/env bash
# sanitizer-check.sh - the ASan + UBSan build and the fuzzers, as CI runs them.
#
# Builds the compiler, the runtime and the tests with clang-22 under
# AddressSanitizer and UndefinedBehaviorSanitizer (any finding aborts the
# process), then runs, all of which must come out clean:
#   1. the unit tests, the lit tests and the fuzz regression inputs (ctest);
#   2. a sample of the conformance suite: the node tests of the operator
#      families listed in $sample below, both variants, gated like the full run;
#   3. the two libFuzzer targets in parallel, each for a fixed number of
#      inputs from a fixed seed, so that the run is the same on every machine
#      (SMELT_FUZZ_IMPORT_RUNS, default 6000: the importer, seeded with every
#      model of the conformance suites; SMELT_FUZZ_RUN_RUNS, default 1000000:
#      smelt_model_run's argument checks). To look for new crashes, set
#      SMELT_FUZZ_SEED (default 1) to another value and raise the counts. A
#      crash leaves its input in BUILD_DIR/fuzz/; copy it into
#      test/fuzz/regressions/<target>/ and fix it.
# usage: tools/sanitizer-check.sh [BUILD_DIR]   (default: build-sanitize)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-sanitize}
import_runs=${SMELT_FUZZ_IMPORT_RUNS:-6000}
run_runs=${SMELT_FUZZ_RUN_RUNS:-1000000}
seed=${SMELT_FUZZ_SEED:-1}
data=/usr/share/libonnx-testdata/data
sample='^test_(add|averagepool|batchnorm|cast|concat|conv|convtranspose|einsum|expand|gather|gemm|if|loop|lstm|matmul|maxpool|nonmaxsuppression|onehot|pad|range|reduce_sum|reshape|resize|scan|scatter|slice|softmax|split|tile|topk|where)'

"$root/tools/install-deps.sh"
# -O1 with line tables: readable reports at a fraction of a debug build's size.
cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
  -DCMAKE_C_FLAGS_RELEASE="-O1 -gline-tables-only" -DCMAKE_CXX_FLAGS_RELEASE="-O1 -gline-tables-only" \
  -DSMELT_SANITIZE=ON -DSMELT_FUZZERS=ON >/dev/null
ninja -C "$build"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export LSAN_OPTIONS=suppressions=$root/test/fuzz/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
echo "== sanitizer-check: unit, lit and fuzz-regression tests"
ctest --test-dir "$build" -L "unit|lit|fuzz" -E "^fuzz-compile$" --output-on-failure -j 2

echo "== sanitizer-check: conformance sample"
conformance=0
"$root/test/conformance/run-conformance.sh" --suites node --filter "$sample" --jobs 2 \
  "$build/bin/smelt" "$data" "$build/conformance-sample" > "$build/conformance-sample.log" || conformance=1
grep -E "cases|regress" "$build/conformance-sample.log" || true
[ $conformance -eq 0 ] || { echo "sanitizer-check: the conformance sample regressed"; exit 1; }

echo "== sanitizer-check: fuzzers (seed $seed; $import_runs imports, $run_runs runs)"
work=$build/fuzz
rm -rf "$work" && mkdir -p "$work/import-corpus" "$work/run-corpus"
for model in "$data"/*/*/model.onnx; do
  cp "$model" "$work/import-corpus/$(basename "$(dirname "$model")").onnx"
done
status=0
for fuzzer in import run; do
  runs=$import_runs
  [ $fuzzer = run ] && runs=$run_runs
  "$build/bin/smelt-$fuzzer-fuzzer" -seed="$seed" -runs="$runs" -timeout=60 -rss_limit_mb=4096 \
    -artifact_prefix="$work/$fuzzer-" -print_final_stats=1 "$work/$fuzzer-corpus" \
    > "$work/$fuzzer.log" 2>&1 &
done
for fuzzer in import run; do
  wait -n || status=1
done
for fuzzer in import run; do
  echo "$fuzzer fuzzer: $(grep -E '^stat::number_of_executed_units' "$work/$fuzzer.log" | awk '{print $2}') executions," \
       "$(ls "$work" | grep -c "^$fuzzer-crash" || true) crash inputs"
  grep -E "ERROR|SUMMARY|runtime error" "$work/$fuzzer.log" | head -5 || true
done
exit $status
