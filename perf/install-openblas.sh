#!/usr/bin/env bash
# Installs Debian's OpenBLAS (pthreads build), the peer GemmBenchmarks runs beside FastBackprop's GEMM.
# The benchmark loads libopenblas.so.0 at run time and skips the OpenBLAS rows, saying so, when it is missing.
set -euo pipefail
# grep reads a captured listing: `ldconfig -p | grep -q` under pipefail can fail with SIGPIPE once grep exits early.
libraries=$(ldconfig -p)
if grep -q 'libopenblas\.so\.0' <<<"$libraries"; then
  echo "OpenBLAS already installed: $(grep -m1 'libopenblas\.so\.0' <<<"$libraries")"
  exit 0
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libopenblas0-pthread >/dev/null
ldconfig -p | grep 'libopenblas\.so\.0'
