"""bertlab: compare ways of using a BERT-family encoder for text classification.

The library has no UI dependency; the Streamlit app in ``app.py``/``pages/``
and the CLI (``python -m bertlab``) are thin layers over it.
"""

import os

# OpenMP threads that spin for ~0.1 ms (GOMP_SPINCOUNT=10000) and then sleep between parallel regions.
# Waking a thread that sleeps at once costs more than a MiniLM step's short operations take: on a quiet
# 2-vCPU EPYC a bf16 training ran 1.12x faster with the short spin than with PASSIVE alone. Spinning
# threads lose badly beside other CPU-bound work (1.6x slower beside one such process), so training loops
# run with one thread fewer for each core other processes keep busy (bertlab.cpushare), which measured as
# fast as PASSIVE there (README, "OpenMP wait policy"). Only effective before torch starts its thread pool
# (bertlab is imported first by the app, the CLI and the benchmark); an explicit setting of either wins.
if "OMP_WAIT_POLICY" not in os.environ and "GOMP_SPINCOUNT" not in os.environ:
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    os.environ["GOMP_SPINCOUNT"] = "10000"

__version__ = "0.1.0"
