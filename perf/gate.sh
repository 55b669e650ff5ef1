#!/usr/bin/env bash
# The performance regression gate (perf/README.md): runs the fixed subset on every SIMD path, compares the
# FastBackprop/peer ratios and allocations with perf/baseline.json, exits 1 on a regression. Arguments pass through
# (--update-baseline, --threshold X, --paths LIST, --baseline FILE, --out FILE, --compare FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet run -c Release --project perf/FastBackprop.Benchmarks -- gate "$@"
