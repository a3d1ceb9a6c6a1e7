#!/usr/bin/env bash
# The sentence-embedding backfill (examples' SentenceEmbedding: all-MiniLM-L6-v2, float32, in ONNX
# Runtime) on the CPU and on an NVIDIA GPU over the same table; checks that both give the same
# vectors and prints rows/s for each and the ratio.
#
#   benchmarks/gpu/run.sh [--check] [rows]       (rows default 100000)
#
# Needs Linux x86-64, an NVIDIA GPU with its driver (nvidia-smi), the CUDA 12 and cuDNN 9 libraries
# (ONNX Runtime 1.20's CUDA provider loads them; the onnxruntime_gpu jar does not ship them), a JDK
# 17+ and Maven. It checks the GPU and the libraries first and stops within seconds when one is
# missing; --check stops after the checks. Environment:
#   NVIDIA_SMI              the nvidia-smi to run (default: nvidia-smi on PATH)
#   GENEVA_CUDA_LIB_PATH    colon-separated directories holding the CUDA/cuDNN libraries (searched
#                           instead of LD_LIBRARY_PATH, ldconfig and /usr/local/cuda; added to
#                           LD_LIBRARY_PATH for the runs), e.g. the lib folders of the pip wheels
#                           nvidia-cublas-cu12, nvidia-cudnn-cu12, ...
#   GENEVA_GPU_BENCH_DIR    where the table goes (default: a new temporary directory, deleted after)
#   GENEVA_GPU_SKIP_BUILD=1 reuse examples/target (built by an earlier run)
#   GENEVA_GPU_JAVA_OPTS    JVM options of the runs (default -Xmx4g)
#   MIN_COSINE              the least cosine similarity between a row's CPU and GPU vectors (0.999)
# Exit codes: 0 same vectors; 1 a run failed or the vectors differ; 2 usage; 3 no nvidia-smi;
# 4 nvidia-smi failed or lists no GPU; 5 CUDA/cuDNN libraries missing; 6 not Linux x86-64.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

fail() {
  local code=$1
  shift
  echo "benchmarks/gpu/run.sh: $*" >&2
  exit "$code"
}

# The libraries libonnxruntime_providers_cuda.so (onnxruntime_gpu 1.20.0) links against.
CUDA_LIBS="libcudart.so.12 libcublas.so.12 libcublasLt.so.12 libcurand.so.10 libcufft.so.11 \
libnvrtc.so.12 libcudnn.so.9 libcudnn_ops.so.9 libcudnn_cnn.so.9 libcudnn_adv.so.9 \
libcudnn_graph.so.9 libcudnn_heuristic.so.9 libcudnn_engines_precompiled.so.9 \
libcudnn_engines_runtime_compiled.so.9"

check_platform() {
  [ "$(uname -s)" = Linux ] && [ "$(uname -m)" = x86_64 ] ||
    fail 6 "needs Linux x86-64 (onnxruntime_gpu has no CUDA build for $(uname -s) $(uname -m))"
}

check_gpu() {
  local smi="${NVIDIA_SMI:-nvidia-smi}" out rc=0
  command -v "$smi" >/dev/null 2>&1 ||
    fail 3 "no GPU: '$smi' not found (install the NVIDIA driver, or set NVIDIA_SMI)"
  out=$(timeout 30 "$smi" --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1) ||
    rc=$?
  [ "$rc" != 124 ] || fail 4 "no usable GPU: '$smi' did not answer within 30 s"
  [ "$rc" = 0 ] || fail 4 "no usable GPU: '$smi' failed (exit $rc): $out"
  [ -n "$out" ] || fail 4 "no GPU: '$smi' lists none"
  echo "GPU: $out"
}

lib_dirs() {
  if [ -n "${GENEVA_CUDA_LIB_PATH:-}" ]; then
    printf '%s\n' "$GENEVA_CUDA_LIB_PATH" | tr ':' '\n'
    return
  fi
  printf '%s\n' "${LD_LIBRARY_PATH:-}" | tr ':' '\n'
  { ldconfig -p 2>/dev/null || true; } | awk -F'=> ' 'NF > 1 { print $2 }' | xargs -r -n1 dirname
  printf '%s\n' /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/lib/x86_64-linux-gnu
}

check_cuda_libs() {
  local dirs missing="" lib found d
  dirs=$(lib_dirs | grep -v '^$' | sort -u || true)
  for lib in $CUDA_LIBS; do
    found=0
    for d in $dirs; do
      if [ -e "$d/$lib" ]; then found=1; break; fi
    done
    [ "$found" = 1 ] || missing="$missing $lib"
  done
  [ -z "$missing" ] || fail 5 "CUDA runtime not found: missing$missing
ONNX Runtime 1.20's CUDA provider needs CUDA 12.x and cuDNN 9.x. Install them (NVIDIA's packages,
e.g. cuda-libraries-12-x and libcudnn9-cuda-12, or the pip wheels nvidia-cuda-runtime-cu12
nvidia-cublas-cu12 nvidia-curand-cu12 nvidia-cufft-cu12 nvidia-cuda-nvrtc-cu12 nvidia-cudnn-cu12)
and point GENEVA_CUDA_LIB_PATH at their lib directories if they are not in ldconfig's cache."
  echo "CUDA libraries: found ($(echo $CUDA_LIBS | wc -w) of them)"
}

check=0
rows=100000
for arg in "$@"; do
  case "$arg" in
    --check) check=1 ;;
    ''|*[!0-9]*) fail 2 "usage: benchmarks/gpu/run.sh [--check] [rows]" ;;
    *) rows=$arg ;;
  esac
done

check_gpu
check_cuda_libs
check_platform
[ "$check" = 0 ] || { echo "checks passed"; exit 0; }

if [ -n "${GENEVA_CUDA_LIB_PATH:-}" ]; then
  export LD_LIBRARY_PATH="$GENEVA_CUDA_LIB_PATH${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi

cd "$root"
if [ "${GENEVA_GPU_SKIP_BUILD:-0}" != 1 ] || [ ! -f examples/target/classpath-gpu.txt ]; then
  echo "Building the examples with ONNX Runtime's CUDA build (-Pgpu)..."
  mvn -B -q -pl examples -am -Pgpu -DskipTests package dependency:build-classpath \
    -Dmdep.outputFile=target/classpath-gpu.txt
fi
cp="examples/target/classes:$(cat examples/target/classpath-gpu.txt)"

if [ -n "${GENEVA_GPU_BENCH_DIR:-}" ]; then
  db="$GENEVA_GPU_BENCH_DIR"
  rm -rf "$db"
else
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/geneva-gpu-bench.XXXXXX")
  trap 'rm -rf "$scratch"' EXIT
  db="$scratch/db"
fi

export LANCE_LOG="${LANCE_LOG:-error}"
bench() {
  # shellcheck disable=SC2046,SC2086
  java $(cat .mvn/jvm.config) ${GENEVA_GPU_JAVA_OPTS:--Xmx4g} -cp "$cp" \
    dev.geneva.examples.EmbeddingBenchmark "$@"
}

echo "CPU run ($rows rows; the first run also writes the table):"
cpu=$(bench run "$db" "$rows" cpu | tee /dev/stderr | grep '^RESULT') || fail 1 "the CPU run failed"
echo "GPU run:"
gpu=$(bench run "$db" "$rows" cuda | tee /dev/stderr | grep '^RESULT') || fail 1 "the GPU run failed"
same=0
bench compare "$db" embedding_cpu embedding_cuda "${MIN_COSINE:-0.999}" || same=$?

field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
cpu_rate=$(field "$cpu" rows_per_s)
gpu_rate=$(field "$gpu" rows_per_s)
echo
echo "rows/s on CPU ($(nproc) cores, concurrency $(field "$cpu" concurrency)): $cpu_rate"
echo "rows/s on GPU (concurrency $(field "$gpu" concurrency)): $gpu_rate"
awk -v g="$gpu_rate" -v c="$cpu_rate" 'BEGIN { printf "GPU / CPU: %.2fx\n", g / c }'
[ "$same" = 0 ] || fail 1 "the CPU and GPU vectors differ (see COMPARE above)"
echo "same vectors on CPU and GPU"
