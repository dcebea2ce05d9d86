#!/usr/bin/env bash
# run-firmware.sh - run a model object compiled for Cortex-M as firmware
# under QEMU: the `smelt run --exec` protocol for bare metal.
#
# usage: run-firmware.sh BOARD MODEL.o OUTDIR IN_0.npy ... IN_n.npy
#   BOARD  a folder the build made (build/firmware/cortex-m4, ...): the
#          bare-metal runtime and smelt-runner built for its CPU
#          (harness.a), the newlib semihosting crt0 it needs, the QEMU
#          machine and CPU, and the compiler flags (board.env)
# Links MODEL.o (compiled with smelt --emit=obj --target ...) into firmware
# with the board's harness, then runs it on QEMU's board model with
# semihosting: the firmware reads the .npy inputs and writes OUTDIR/out_N.npy
# on the host, like smelt-runner. The model's symbols may have any prefix:
# its P_info is linked as model_info. Exit status 1 with the firmware's
# message on failure.
set -euo pipefail
board=$1 model=$2
shift 2
# shellcheck source=/dev/null
source "$board/board.env"   # SMELT_FW_GCC, SMELT_FW_CFLAGS, SMELT_FW_CRT0, SMELT_FW_MACHINE, SMELT_FW_CPU, SMELT_FW_LDSCRIPT
info=$(arm-none-eabi-nm "$model" | awk '$2 == "D" || $2 == "R" || $2 == "d" { print $3 }' |
       grep -m1 '_info$') || { echo "run-firmware.sh: no *_info symbol in $model" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# shellcheck disable=SC2086 # the flags are words
"$SMELT_FW_GCC" $SMELT_FW_CFLAGS --specs=rdimon.specs -nostartfiles -T "$SMELT_FW_LDSCRIPT" \
  -Wl,--defsym=model_info="$info" -Wl,--no-warn-rwx-segments -Wl,--no-warn-execstack \
  "$model" "$SMELT_FW_CRT0" -Wl,--whole-archive "$board/harness.a" \
  -Wl,--no-whole-archive -Wl,--start-group -lrdimon -lc -lm -lgcc -Wl,--end-group \
  -o "$dir/firmware.elf"
# newlib's semihosting crt0 takes a command line of at most 255 characters:
# short names in the temporary folder, which QEMU runs in.
outdir=$(cd "$1" && pwd)
shift
ln -s "$outdir" "$dir/o"
args="firmware,arg=m,arg=o"
i=0
for input in "$@"; do
  ln -s "$(cd "$(dirname "$input")" && pwd)/$(basename "$input")" "$dir/$i.npy"
  args+=",arg=$i.npy"
  i=$((i + 1))
done
# A model that faults or loops stops within the limit.
cd "$dir"
timeout 300 qemu-system-arm -M "$SMELT_FW_MACHINE" -cpu "$SMELT_FW_CPU" -nographic -monitor none \
  -serial none -semihosting-config "enable=on,target=native,arg=$args" -kernel firmware.elf
