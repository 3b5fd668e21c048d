"""bench/gpu.py runs end to end on a tiny config on CPU, so the GPU benchmark never rots (no timings asserted)."""

from __future__ import annotations

import json

from bench import gpu


def test_synthetic_data_is_long_tailed_and_framed():
    ids, labels = gpu.synthetic(500, 128, 30522, seed=0)
    lengths = [len(x) for x in ids]
    assert min(lengths) >= 8 and max(lengths) <= 128
    assert max(lengths) > 2 * sorted(lengths)[len(lengths) // 2]  # a long tail: padding matters
    assert all(x[0] == 101 and x[-1] == 102 for x in ids)
    assert set(labels) == {0, 1}


def test_tiny_gpu_bench_runs_on_cpu(tmp_path):
    out = tmp_path / "gpu.json"
    res = gpu.main(["--tiny", "--device", "cpu", "--examples", "96", "--batch-size", "16", "--repeats", "1",
                    "--max-length", "64", "--out", str(out)])
    saved = json.loads(out.read_text())
    assert saved["model"] == "tiny" and saved["precision"] == "bf16"
    for name in ("bertlab", "trainer_grouped"):
        s = saved["setups"][name]
        assert len(s["seconds"]) == 1 and s["seconds_median"] > 0
        assert s["examples_per_s"] > 0 and s["mfu"] > 0
    assert saved["real_tokens"] == res["real_tokens"] > 96 * 8
    assert saved["non_embedding_params"] < 100_000  # the tiny config, not bert-base
