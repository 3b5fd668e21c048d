"""bertlab: compare ways of using a BERT-family encoder for text classification.

The library has no UI dependency; the Streamlit app in ``app.py``/``app_pages/``
and the CLI (``python -m bertlab``) are thin layers over it.

From Python (a notebook, a script), loaded on first use from ``bertlab.api`` (``help(bertlab.compare)``):

    compare(data, strategies, sizes="quick", ...) -> Comparison   train and compare strategies on a DataFrame, a
                                                                   file or a built-in dataset ("rotten_tomatoes")
    load_comparison("latest") / load_run("d47a")                   stored runs back, after a kernel restart too
    data_config(data, ...)                                         the DataConfig compare would use
    Comparison: .table, .answer, .predict(texts), .plot_loss(), .report(path), c["head_only"] -> RunResult
    RunResult: .predict(texts), .export(dest), .metrics, .notes, .curves()
"""

import os as _os  # private: dir(bertlab) and a notebook's tab completion listed os beside compare

# OpenMP threads that spin for ~0.1 ms (GOMP_SPINCOUNT=10000) and then sleep between parallel regions.
# Waking a thread that sleeps at once costs more than many of a MiniLM step's operations take: on a quiet
# 2-vCPU EPYC a 512-text bf16 full_ft ran 1.10-1.18x faster with the short spin than with PASSIVE alone.
# Spinning threads lose badly beside other CPU-bound work (1.5-1.6x slower beside one such process), so
# training loops run one thread fewer for each core other processes keep busy (bertlab.cpushare): 2-6%
# slower than PASSIVE beside one such process, 1.2x slower beside two (bench/README.md, "OpenMP wait policy"). Only
# effective before torch starts its thread pool (bertlab is imported first by the app, the CLI and the
# benchmark); an explicit setting of either variable wins.
if "OMP_WAIT_POLICY" not in _os.environ and "GOMP_SPINCOUNT" not in _os.environ:
    _os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    _os.environ["GOMP_SPINCOUNT"] = "10000"

# ONNX Runtime (1.30) queues usage telemetry (RuntimePerf events with a device id, the OS and the process path) in
# ~/.cache/Microsoft/DeveloperTools/.onnxruntime/onnxruntime.db, outside the data directory (3,000+ events after a
# term), and its telemetry library leaves an empty /tmp/mat-debug-<pid>.log in every process. Read once, when
# onnxruntime is imported: set here, before any bertlab module imports it, this writes neither (measured:
# onnxruntime.disable_telemetry_events() after the import still wrote the db, the device id and the log).
# ORT_DISABLE_TELEMETRY=0 set by the user wins.
_os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

__version__ = "0.1.0"

# The Python API (bertlab.api: compare, load_run, load_comparison, data_config), imported on first use: `import
# bertlab` stays light (the CLI and the app import it before torch, for the thread settings above).
_API = ("compare", "load_run", "load_comparison", "data_config", "Comparison", "RunResult")
__all__ = list(_API)  # `from bertlab import *`: the API (it took os)


def __getattr__(name: str):
    if name in _API:
        from bertlab import api

        return getattr(api, name)
    raise AttributeError(f"module 'bertlab' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The API and the module's own dunders (``__version__``): not its imports, nor the submodules a run loads
    (``dir(bertlab)`` listed os, and after a compare api, cli, config... beside compare)."""
    return sorted([*(k for k in globals() if k.startswith("__")), *_API])
