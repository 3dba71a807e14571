#!/usr/bin/env bash
# Int8 forms measured on the machine it runs on, results to stdout (about 5 minutes on 2 cores). Needs a Release build
# (`dotnet build tests/ModelBuild.Benchmarks -c Release`); fetches the published PP-OCRv4 models on first use
# (testassets/ModelZoo/Published; folder $MODELBUILD_PUBLISHED_MODELS or ~/.cache/modelbuild/published).
# The zoo transformer and conv net and PP-OCRv4 rec and det, fp32 and each int8 form, timed round-robin (1 thread,
# spinning off); the int8-static-conv rows carry the static int8 Conv decision made on this machine, calibrated on
# text-like images (testassets/ModelZoo/Published/TextImages.cs). On a CPU with AVX-512, VNNI or AMX, Linux CPUID faulting
# and a C compiler, the same files are then timed with AVX2 kernels (tests/ModelBuild.Benchmarks/Avx2Kernels.cs).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
work="${TMPDIR:-/tmp}/modelbuild-quant-check"
rm -rf "$work"
echo "== CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), $(nproc) cores, ISA: $(grep -o -E 'avx512_vnni|avx_vnni|amx_int8|avx2' /proc/cpuinfo | sort -u | xargs)"
echo "== round-robin (transformer-encoder, conv-net, ppocr-v4-rec, ppocr-v4-det)"
timeout 600 dotnet run --project tests/ModelBuild.Benchmarks -c Release --no-build -- --work "$work/bench" --round-robin 15 \
  --only int8,int8-reduced,int8-unsigned,int8-static-conv | sed -n '/^CPU:/,$p'
rm -rf "$work"
