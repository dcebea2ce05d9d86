#!/usr/bin/env bash
# run-conformance.sh - run whole ONNX backend suites through smelt, record every case.
#
# Every case (a folder with model.onnx and test_data_set_*) of the given suites
# is compiled and checked against all its data sets in two variants:
#   static   every graph input gets --shape from test_data_set_0/input_N.pb
#            (names from `smelt inspect`, dims from pb-dims.mjs);
#   dynamic  `smelt compile --dynamic-dims`: every dim of every graph input is
#            symbolic, so all shapes are computed at run time.
# Cases that use an operator or domain listed in excluded.txt are EXCLUDED;
# tolerances are rtol 1e-3, atol 1e-7 (the ONNX backend's defaults) unless
# tolerances.txt names the case. Random generators cannot match the
# reference's draws: cases listed in random-cases.txt are instead run twice
# on test_data_set_0's inputs and checked by check-random.mjs (the two runs
# are byte-identical, outputs have the expected shape and dtype, values are
# in range). A model whose dims are all static, its intermediates' too
# (`smelt compile --report`: a workspace plan, no buffer sized at run time),
# fails when its library references malloc, free or another heap function:
# its intermediates belong in the workspace.
# Every failure gets a one-line reason: the
# compiler's first "error:" line, smelt run's FAIL line, a timeout or a signal.
#
# Writes WORKDIR/results.tsv (suite, case, variant, status, reason) and
# WORKDIR/operators.tsv (suite, case, operators, unsupported operators, and
# how the inputs are declared: static (as in the static variant), symbolic,
# non-tensor or contradicts-data; from `smelt inspect`, read by gen-docs.mjs),
# prints totals per suite and variant.
# Exits 1 if a case and variant listed in expected-pass.txt fails (a
# regression guard, both variants); --update-expected rewrites that file
# by adding this run's new passes, and refuses to (exiting 1) when the run
# has a regression: an update never drops an entry.
#
# usage: run-conformance.sh [options] SMELT DATA WORKDIR
#   DATA          folder holding the suites (e.g. /usr/share/libonnx-testdata/data)
#   --suites L    comma-separated suites (default node,pytorch-converted,pytorch-operator,simple)
#   --variants L  comma-separated variants (default static,dynamic)
#   --skip S:V    do not run variant V of suite S (repeatable); recorded nowhere
#   --filter RE   only cases whose name matches the extended regex RE
#   --jobs N      cases in parallel (default: nproc)
#   --timeout S   limit for each compile and each run, in seconds (default 120)
#   --sample K    only every K-th case of each suite (in name order): a fixed sample
#   --target T    compile for target triple T (smelt compile --target)
#   --compile-flags F  more smelt compile options (words), e.g. "--cpu cortex-m4 --emit=obj"
#   --known-failures FILE  expected passes that may fail with these options
#                 ("SUITE/CASE VARIANT  reason" lines): for targets that cannot run
#                 some models (bare metal: no run-time sizes)
#   --exec CMD    run the libraries through CMD (smelt run --exec), e.g.
#                 "qemu-aarch64 -L /usr/aarch64-linux-gnu build/aarch64/smelt-runner"
#   --ptx ARCHS   the GPU path instead: compile each case with --device cuda
#                 --emit=ptx and pass when ptxas ($SMELT_PTXAS, else ptxas on PATH,
#                 else /usr/local/cuda/bin/ptxas) accepts the PTX for every
#                 architecture of ARCHS ("sm_80,sm_90"); nothing runs
#   --gpu-emulation DIR  the GPU path run on this CPU: compile each case with
#                 --device cuda (a library whose host code launches kernels) and
#                 with --emit=host-kernels (the same kernels for the host), and
#                 run it through the runtime's device path with the fake CUDA
#                 driver of DIR (its libcuda.so.1, FAKE_CUDA_KERNELS): checks
#                 the GPU path's host code, memory plan and launches, and the
#                 kernels' arithmetic, not NVVM's code generation
#   --expected FILE  the regression list (default expected-pass.txt; the GPU
#                 path's is expected-ptx.txt)
#   --update-expected  add every PASS (both variants) of this run to the expected list;
#                      refused when a listed pass fails
set -u
here=$(cd "$(dirname "$0")" && pwd)
suites=node,pytorch-converted,pytorch-operator,simple
variants=static,dynamic
skip=" " filter= jobs=$(nproc) limit=120 update=0 sample=1 target= exec_cmd= compile_flags= known_failures=/dev/null
ptx_archs= expected_file= gpu_emulation=
while [ $# -gt 0 ]; do
  case $1 in
    --suites) suites=$2; shift 2 ;;
    --variants) variants=$2; shift 2 ;;
    --skip) skip+="$2 "; shift 2 ;;
    --filter) filter=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --timeout) limit=$2; shift 2 ;;
    --sample) sample=$2; shift 2 ;;
    --target) target=$2; shift 2 ;;
    --exec) exec_cmd=$2; shift 2 ;;
    --compile-flags) compile_flags=$2; shift 2 ;;
    --known-failures) known_failures=$2; shift 2 ;;
    --update-expected) update=1; shift ;;
    --ptx) ptx_archs=$2; shift 2 ;;
    --gpu-emulation) gpu_emulation=$(realpath "$2"); shift 2 ;;
    --expected) expected_file=$(realpath -m "$2"); shift 2 ;;
    -h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run-conformance.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [ $# -ne 3 ]; then
  echo "usage: run-conformance.sh [options] SMELT DATA WORKDIR (--help for options)" >&2
  exit 2
fi
if [ $update = 1 ] && [ -n "$target$exec_cmd$compile_flags" ]; then
  echo "run-conformance.sh: --update-expected records the host's passes; not with --target, --exec or --compile-flags" >&2
  exit 2
fi
smelt=$(realpath "$1") data=$(realpath "$2") work=$(realpath -m "$3")
excluded_file=$here/excluded.txt tolerances_file=$here/tolerances.txt random_file=$here/random-cases.txt
expected_file=${expected_file:-$here/expected-pass.txt}
ptxas=${SMELT_PTXAS:-$(command -v ptxas || echo /usr/local/cuda/bin/ptxas)}
rm -rf "$work/cases" "$work/lib"
mkdir -p "$work/cases" "$work/lib"

# Flattens a message to one TSV-safe line of at most 300 characters.
one_line() { tr '\t\n' '  ' | sed 's/  */ /g; s/^ //; s/ $//' | cut -c1-300; }

# Describes a non-zero exit status of STEP (compile or run) from its OUTPUT.
failure_reason() {
  local step=$1 rc=$2 out=$3 line
  if [ "$rc" -eq 124 ]; then
    echo "timeout: $step took over ${limit} s"
  elif [ "$rc" -gt 128 ]; then
    line=$(grep -m1 -oE "Assertion .* failed|LLVM ERROR: .*|UNREACHABLE .*" <<< "$out" | one_line)
    echo "crash: $step killed by SIG$(kill -l $((rc - 128)) 2>/dev/null || echo $((rc - 128)))${line:+: $line}"
  elif [ "$step" = compile ] && line=$(grep -m1 'error: ' <<< "$out"); then
    echo "compile: ${line#*error: }" | one_line
  elif line=$(grep -m1 -E "^output '.*': FAIL|error: " <<< "$out"); then
    echo "$step: ${line#error: }" | one_line
  else
    echo "$step: exit status $rc: $(tail -n1 <<< "$out" | one_line)"
  fi
}

# Compiles MODEL to LIB with the remaining arguments and checks every data set
# of DIR; prints "PASS" or "FAIL<TAB>reason".
compile_and_check() {
  local dir=$1 lib=$2 rtol=$3 atol=$4 out rc set
  shift 4
  if [ -n "$ptx_archs" ]; then
    ptx_check "$dir" "$lib.ptx" "$@"
    return
  fi
  out=$(timeout "$limit" "$smelt" compile "$dir/model.onnx" -o "$lib" --report \
        ${target:+--target "$target"} ${gpu_emulation:+--device cuda} $compile_flags "$@" 2>&1)
  rc=$?
  if [ $rc -eq 0 ] && [ -n "$gpu_emulation" ]; then
    out=$(timeout "$limit" "$smelt" compile "$dir/model.onnx" -o "$lib.kernels.so" \
          --device cuda --emit=host-kernels $compile_flags "$@" 2>&1)
    rc=$?
  fi
  if [ $rc -ne 0 ]; then
    printf 'FAIL\t%s\n' "$(failure_reason compile $rc "$out")"
    return
  fi
  # All dims static, inside too: every intermediate lives in the planned
  # workspace, and the generated code must not touch the heap.
  local heap counts
  counts=$(sed -n 's/^heap buffers: \([0-9]*\) (\([0-9]*\) with sizes known only at run time)$/\1 \2/p' <<< "$out")
  if grep -q '^workspace: [0-9]' <<< "$out" && ! grep -q 'the model has dynamic dims' <<< "$out" &&
    [ -n "$counts" ] && [ "${counts#* }" = 0 ]; then
    heap=$(nm -D --undefined-only "$lib" 2>/dev/null |
           grep -owE 'malloc|free|calloc|realloc|aligned_alloc|posix_memalign' | sort -u | xargs)
    if [ -n "$heap" ]; then
      printf 'FAIL\theap: all shapes static, yet the code calls %s (%s)\n' "$heap" \
        "$(grep -m1 '^heap buffers' <<< "$out")"
      rm -f "$lib"
      return
    fi
  fi
  if [ -n "${random_check:-}" ]; then
    random_run "$dir" "$lib"
    rm -f "$lib"
    return
  fi
  for set in "$dir"/test_data_set_*; do
    out=$(${gpu_emulation:+env LD_LIBRARY_PATH="$gpu_emulation" FAKE_CUDA_KERNELS="$lib.kernels.so"} \
          timeout "$limit" "$smelt" run "$lib" --check "$set" --rtol "$rtol" --atol "$atol" \
          ${exec_cmd:+--exec "$exec_cmd"} 2>&1)
    rc=$?
    if [ $rc -ne 0 ]; then
      printf 'FAIL\t%s: %s\n' "$(basename "$set")" "$(failure_reason run $rc "$out")"
      rm -f "$lib" "$lib.kernels.so"
      return
    fi
  done
  rm -f "$lib" "$lib.kernels.so"
  printf 'PASS\n'
}

# The GPU path: compiles DIR's model to PTX and has ptxas assemble it for
# every architecture of $ptx_archs; prints "PASS" or "FAIL<TAB>reason".
ptx_check() {
  local dir=$1 ptx=$2 out rc arch
  shift 2
  out=$(timeout "$limit" "$smelt" compile "$dir/model.onnx" -o "$ptx" --device cuda --emit=ptx \
        $compile_flags "$@" 2>&1)
  rc=$?
  if [ $rc -ne 0 ]; then
    printf 'FAIL\t%s\n' "$(failure_reason compile $rc "$out")"
    return
  fi
  for arch in ${ptx_archs//,/ }; do
    out=$(timeout "$limit" "$ptxas" -arch="$arch" "$ptx" -o /dev/null 2>&1)
    rc=$?
    if [ $rc -ne 0 ]; then
      printf 'FAIL\tptxas %s: %s\n' "$arch" "$(grep -m1 . <<< "$out" | one_line)"
      rm -f "$ptx"
      return
    fi
  done
  rm -f "$ptx"
  printf 'PASS\n'
}

# A random generator case: runs LIB twice on DIR/test_data_set_0's inputs and
# checks the outputs with check-random.mjs $random_check (from random-cases.txt);
# prints "PASS" or "FAIL<TAB>reason".
random_run() {
  local dir=$1 lib=$2 set=$1/test_data_set_0 out rc run f
  local -a inputs=()
  for f in "$set"/input_*.pb; do [ -e "$f" ] && inputs+=(-i "$f"); done
  for run in 1 2; do
    rm -rf "$lib.run$run" && mkdir -p "$lib.run$run"
    out=$(${gpu_emulation:+env LD_LIBRARY_PATH="$gpu_emulation" FAKE_CUDA_KERNELS="$lib.kernels.so"} \
          timeout "$limit" "$smelt" run "$lib" "${inputs[@]}" -o "$lib.run$run" \
          ${exec_cmd:+--exec "$exec_cmd"} 2>&1)
    rc=$?
    if [ $rc -ne 0 ]; then
      printf 'FAIL\t%s\n' "$(failure_reason run $rc "$out")"
      rm -rf "$lib.run1" "$lib.run2"
      return
    fi
  done
  # shellcheck disable=SC2086 # the check and its arguments are words
  out=$(node "$here/check-random.mjs" $random_check "$set" "$lib.run1" "$lib.run2" 2>&1)
  rc=$?
  rm -rf "$lib.run1" "$lib.run2"
  if [ $rc -eq 0 ]; then printf 'PASS\n'; else printf 'FAIL\trandom: %s\n' "$(grep -m1 . <<< "$out" | sed 's/^FAIL //' | one_line)"; fi
}

# One case SUITE/NAME: writes cases/SUITE/NAME.tsv (one row per variant) and
# cases/SUITE/NAME.ops (its row of operators.tsv).
run_case() {
  local suite=${1%%/*} name=${1#*/}
  local dir=$data/$suite/$name rows=$work/cases/$suite/$name
  local info ops unsupported excluded= rtol=1e-3 atol=1e-7 variant result static_result=
  local -a names=() types=() shapes=()
  info=$("$smelt" inspect "$dir/model.onnx" 2>&1)
  ops=$(sed -n '/^operators:/,/^unsupported operators:/p' <<< "$info" | sed '1d;$d' | awk '{print $1}' | xargs)
  unsupported=$(sed -n '/^unsupported operators:/,$p' <<< "$info" | sed '1d' | awk '{print $1}' | xargs)

  # Excluded operators or domains (excluded.txt: "op NAME reason" / "domain NAME reason").
  local kind what why op
  while read -r kind what why; do
    for op in $ops; do
      if { [ "$kind" = op ] && [ "${op##*::}" = "$what" ]; } ||
         { [ "$kind" = domain ] && [ "${op%::*}" = "$what" ] && [ "$op" != "${op%::*}" ]; }; then
        excluded="$op: $why"
        break 2
      fi
    done
  done < <(grep -vE '^\s*(#|$)' "$excluded_file")

  # Per-case tolerances (tolerances.txt: "CASE RTOL ATOL reason", CASE is NAME or SUITE/NAME).
  local line
  line=$(grep -E "^($suite/)?$name[[:space:]]" "$tolerances_file" | head -1)
  [ -n "$line" ] && read -r _ rtol atol _ <<< "$line"

  # Random generators (random-cases.txt: "CASE CHECK [ARGS]"), seen by compile_and_check.
  local random_check=
  line=$(grep -E "^($suite/)?$name[[:space:]]" "$random_file" 2>/dev/null | head -1)
  [ -n "$line" ] && read -r _ random_check <<< "$line"

  # Graph inputs as `smelt inspect` lists them ("  NAME: TYPE[d0,d1]").
  while IFS= read -r line; do
    names+=("${line%: *}")
    types+=("${line##*: }")
  done < <(sed -n '/^inputs:/,/^outputs:/p' <<< "$info" | sed '1d;$d' | sed 's/^  //')

  # Static shapes from the first data set; a file's name field wins over its position.
  local declared=static i j pbname dims type
  for type in "${types[@]}"; do
    if [ "$type" = non-tensor ]; then
      declared=non-tensor
    elif ! [[ $type =~ ^[A-Z0-9_]+\[[0-9,]*\]$ ]]; then
      declared=symbolic
      break
    fi
  done
  if [ -d "$dir/test_data_set_0" ]; then
    i=0
    while IFS=$'\t' read -r pbname dims; do
      j=$i
      for k in "${!names[@]}"; do
        [ -n "$pbname" ] && [ "${names[$k]}" = "$pbname" ] && { j=$k; break; }
      done
      i=$((i + 1))
      [ "$j" -lt "${#names[@]}" ] || continue
      type=${types[$j]}
      [ "$type" = non-tensor ] && continue
      [ -n "$dims" ] && [ "$dims" != "?" ] || continue
      shapes+=(--shape "${names[$j]}=$dims")
      [[ $type == *"[$dims]" ]] || [ $declared = symbolic ] || declared=contradicts-data
    done < <(ls "$dir/test_data_set_0"/input_*.pb 2>/dev/null | sort -V |
             xargs -r node "$here/pb-dims.mjs" 2>/dev/null)
  fi

  printf '%s\t%s\t%s\t%s\t%s\n' "$suite" "$name" "$ops" "$unsupported" $declared > "$rows.ops"
  : > "$rows.tsv"
  for variant in ${variants//,/ }; do
    case "$skip" in *" $suite:$variant "*) continue ;; esac
    if [ -n "$excluded" ]; then
      result=$(printf 'EXCLUDED\t%s' "$excluded")
    elif [ "$variant" = static ]; then
      result=$(compile_and_check "$dir" "$work/lib/$suite.$name.$variant.so" "$rtol" "$atol" "${shapes[@]}")
      static_result=$result
    else
      result=$(compile_and_check "$dir" "$work/lib/$suite.$name.$variant.so" "$rtol" "$atol" --dynamic-dims)
    fi
    [[ $result == *$'\t'* ]] || result+=$'\t'
    printf '%s\t%s\t%s\t%s\n' "$suite" "$name" "$variant" "$result" >> "$rows.tsv"
  done
}
export -f run_case compile_and_check ptx_check random_run failure_reason one_line
export smelt data work here variants skip limit excluded_file tolerances_file random_file target exec_cmd compile_flags ptx_archs ptxas

cases=()
for suite in ${suites//,/ }; do
  [ -d "$data/$suite" ] || { echo "run-conformance.sh: no suite '$data/$suite'" >&2; exit 2; }
  mkdir -p "$work/cases/$suite"
  index=0
  for dir in "$data/$suite"/*/; do
    name=$(basename "$dir")
    [ -f "$dir/model.onnx" ] || continue
    [ -z "$filter" ] || [[ $name =~ $filter ]] || continue
    index=$((index + 1))
    [ $(( (index - 1) % sample )) -eq 0 ] || continue
    cases+=("$suite/$name")
  done
done

start=$(date +%s)
printf '%s\n' "${cases[@]}" | xargs -P "$jobs" -I{} bash -c 'run_case "$1"' _ {}
elapsed=$(( $(date +%s) - start ))

results=$work/results.tsv
{
  printf 'suite\tcase\tvariant\tstatus\treason\n'
  find "$work/cases" -name '*.tsv' -print0 | xargs -0 -r cat | sort -t$'\t' -k1,1 -k2,2 -k3,3r
} > "$results"
{
  printf 'suite\tcase\toperators\tunsupported\tdeclared_inputs\n'
  find "$work/cases" -name '*.ops' -print0 | xargs -0 -r cat | sort
} > "$work/operators.tsv"
rm -rf "$work/lib"

echo "conformance: ${#cases[@]} cases in ${elapsed} s (jobs $jobs), results in $results"
awk -F'\t' 'NR > 1 { key = $1 " " $3; n[key]++; c[key, $4]++ }
  END { for (k in n) printf "  %-26s %4d cases: %4d pass, %4d fail, %3d excluded\n",
                             k, n[k], c[k, "PASS"], c[k, "FAIL"], c[k, "EXCLUDED"] }' "$results" | sort

# Regression guard: every expected PASS ("SUITE/CASE VARIANT") that this
# run ran must still pass, in both variants.
regressions=$(awk -F'\t' -v want_file="$expected_file" -v known_file="$known_failures" '
  FILENAME == want_file { if ($0 !~ /^[[:space:]]*(#|$)/) want[$0] = 1; next }
  FILENAME == known_file { if ($0 !~ /^[[:space:]]*(#|$)/) { split($0, f, /[ \t]+/); known[f[1] " " f[2]] = 1 }; next }
  FNR > 1 && $4 != "PASS" && (($1 "/" $2 " " $3) in want) && !(($1 "/" $2 " " $3) in known) {
    print "REGRESSION " $1 "/" $2 " (" $3 "): " $5 }
  ' "$expected_file" "$known_failures" "$results" 2>/dev/null)
newly=$(awk -F'\t' -v want_file="$expected_file" '
  FILENAME == want_file { if ($0 !~ /^[[:space:]]*(#|$)/) want[$0] = 1; next }
  FNR > 1 && $4 == "PASS" && !(($1 "/" $2 " " $3) in want) { n++ }
  END { print n + 0 }' "$expected_file" "$results" 2>/dev/null)
if [ -n "$regressions" ]; then
  echo "$regressions"
  echo "conformance: $(wc -l <<< "$regressions") expected passes failed"
  [ $update = 1 ] && echo "conformance: expected-pass.txt not updated: fix the regressions first"
  exit 1
fi

if [ $update = 1 ]; then
  # No listed pass failed (else the run stopped above): the list only grows,
  # by this run's new passes.
  {
    grep '^#' "$expected_file" 2>/dev/null ||
      printf '# Cases and variants that pass today (SUITE/CASE VARIANT); a failure of any is a\n# regression. Generated: run-conformance.sh --update-expected SMELT DATA WORKDIR\n'
    {
      grep -vE '^\s*(#|$)' "$expected_file" 2>/dev/null
      awk -F'\t' 'NR > 1 && $4 == "PASS" { print $1 "/" $2 " " $3 }' "$results"
    } | LC_ALL=C sort -u
  } > "$expected_file.tmp" && mv "$expected_file.tmp" "$expected_file"
  echo "updated $expected_file: $(grep -cvE '^\s*(#|$)' "$expected_file") case variants"
  exit 0
fi
[ "${newly:-0}" -gt 0 ] && echo "$newly passes are not in expected-pass.txt yet (rerun with --update-expected)"
exit 0
