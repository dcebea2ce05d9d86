# lit configuration for Smelt's FileCheck tests (importer, dialect, passes, codegen, tools).
import os
import lit.formats

config.name = "Smelt"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir", ".onnxtxt", ".test"]
config.excludes = ["Inputs", "fuzz", "firmware", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "conformance", "unit", "e2e"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.smelt_obj_root, "test")

config.environment["PATH"] = os.pathsep.join(
    [config.smelt_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")])
config.substitutions.append(("%smelt_runtime_lib", config.smelt_runtime_lib))
# The C compiler for test programs: plain `cc`, or in a sanitizer build the
# build's compiler with its sanitizer flags, since they link the runtime.
config.substitutions.append(("%cc", config.smelt_cc))
import sys
config.substitutions.append(("%python", sys.executable))
config.substitutions.append(("%smelt_runner", config.smelt_runner))
# The fake CUDA driver (test/unit/runtime/fake_cuda.c): GPU models run their
# kernels compiled for this CPU (--emit=host-kernels) through the runtime.
config.substitutions.append(("%fake_cuda_dir", config.smelt_fake_cuda_dir))
# AArch64 code runs under qemu-aarch64 with the cross sysroot's libraries.
if config.aarch64_runner and config.qemu_aarch64 and not config.qemu_aarch64.endswith("-NOTFOUND"):
    config.available_features.add("qemu-aarch64")
    config.substitutions.append(
        ("%aarch64_exec", config.qemu_aarch64 + " -L /usr/aarch64-linux-gnu " + config.aarch64_runner))
    # A CPU with SVE vectors of 256 and of 128 bits (QEMU takes bytes).
    for bits in (256, 128):
        config.substitutions.append(
            ("%%aarch64_sve%d_exec" % bits,
             "%s -cpu max,sve-default-vector-length=%d -L /usr/aarch64-linux-gnu %s"
             % (config.qemu_aarch64, bits // 8, config.aarch64_runner)))
# Cortex-M firmware runs under qemu-system-arm (test/firmware).
if config.firmware_boards:
    config.available_features.add("qemu-system-arm")
    config.substitutions.append(
        ("%firmware_exec", os.path.join(config.test_source_root, "firmware", "run-firmware.sh")
         + " " + config.firmware_boards))
import platform
if platform.machine() in ("x86_64", "AMD64"):
    config.available_features.add("x86_64")
# The host's vector extensions, for tests that run code compiled for them.
try:
    with open("/proc/cpuinfo") as cpuinfo:
        flags = next((line.split(":", 1)[1].split() for line in cpuinfo if line.startswith("flags")), [])
except OSError:
    flags = []
for flag in ("avx2", "avx512bw", "avx512_vnni", "avx_vnni"):
    if flag in flags:
        config.available_features.add("host-" + flag.replace("_", ""))
# The CUDA toolkit's PTX assembler checks the GPU path's PTX (no GPU needed).
import shutil
ptxas = shutil.which("ptxas") or ("/usr/local/cuda/bin/ptxas" if os.path.exists("/usr/local/cuda/bin/ptxas") else None)
if ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))
