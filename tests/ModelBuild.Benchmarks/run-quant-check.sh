#!/usr/bin/env bash
# Int8 forms measured on the machine it runs on, results to stdout (about 3 minutes). Needs a Release build
# (`dotnet build tests/ModelBuild.Benchmarks -c Release`) and, for the PP-OCR part, the published models fetched
# by the tests (testassets/ModelZoo/Published; folder $MODELBUILD_PUBLISHED_MODELS or ~/.cache/modelbuild/published).
#   1. the zoo transformer and conv net, fp32 and each int8 form, timed round-robin (1 thread, spinning off);
#   2. PP-OCRv4 rec and det compiled with Quantize="int8" for x64 (4 verification samples): the build's own report line
#      and keptNotes (the static int8 Conv decision, with the accuracy and speed measured there).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
work="${TMPDIR:-/tmp}/modelbuild-quant-check"
rm -rf "$work"
echo "== CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), $(nproc) cores, ISA: $(grep -o -E 'avx512_vnni|avx_vnni|amx_int8|avx2' /proc/cpuinfo | sort -u | xargs)"
echo "== round-robin (transformer-encoder, conv-net)"
timeout 150 dotnet run --project tests/ModelBuild.Benchmarks -c Release --no-build -- --work "$work/bench" --round-robin 15 \
  --only int8,int8-reduced,int8-unsigned,int8-static-conv | sed -n '/^CPU:/,$p'
published="${MODELBUILD_PUBLISHED_MODELS:-$HOME/.cache/modelbuild/published}/@gutenye+ocr-models@1.4.2/package/assets"
compiler="src/ModelBuild.Compiler/bin/Release/net10.0/modelbuild.dll"
for model in rec det; do
  file="$published/ch_PP-OCRv4_${model}_infer.onnx"
  [ -f "$file" ] || { echo "== PP-OCRv4 $model: $file missing (run the published-model tests once to fetch it)"; continue; }
  echo "== PP-OCRv4 $model, modelbuild compile --quantize int8 --targets x64"
  timeout 100 dotnet "$compiler" compile "$file" --quantize int8 --targets x64 --verify-samples 4 --cache off --out "$work/$model" 2>&1 | tail -3
  sed -n '/"keptNotes"/,/\]/p' "$work/$model"/*.report.json 2>/dev/null
done
rm -rf "$work"
