#!/usr/bin/env bash
# CI's check of the benchmark suite (not a measurement): the project builds in Release, and one benchmark runs as a
# BenchmarkDotNet dry job (one cold invocation, no statistics) on every SIMD path this CPU has, so a benchmark that
# throws, or a --paths job that cannot start, fails CI. The lead's .ci/run calls this after the solution build.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build perf/FastBackprop.Benchmarks -c Release
dotnet run -c Release --no-build --project perf/FastBackprop.Benchmarks -- \
  --filter '*SigmoidBenchmarks.Forward*' --job dry --paths all --artifacts out-perf-dry
