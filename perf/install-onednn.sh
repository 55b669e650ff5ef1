#!/usr/bin/env bash
# Installs Debian's oneDNN (libdnnl-dev, 2.6.3 on bookworm: libdnnl.so.2, its OpenMP runtime and dnnl.h), the second
# GEMM peer GemmBenchmarks runs beside FastBackprop's GEMM. The benchmark loads libdnnl.so.2 at run time and skips
# the oneDNN rows, saying so, when it is missing; the gate reports its oneDNN entries as SKIPPED there.
set -euo pipefail
# grep reads a captured listing: `ldconfig -p | grep -q` under pipefail can fail with SIGPIPE once grep exits early.
libraries=$(ldconfig -p)
if grep -q 'libdnnl\.so\.2' <<<"$libraries" && [ -f /usr/include/oneapi/dnnl/dnnl.h ]; then
  echo "oneDNN already installed: $(grep -m1 'libdnnl\.so\.2' <<<"$libraries")"
  exit 0
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libdnnl-dev >/dev/null
libraries=$(ldconfig -p)
grep 'libdnnl\.so\.2' <<<"$libraries"
