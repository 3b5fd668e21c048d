"""bertlab: compare ways of using a BERT-family encoder for text classification.

The library has no UI dependency; the Streamlit app in ``app.py``/``pages/``
and the CLI (``python -m bertlab``) are thin layers over it.
"""

import os

# OpenMP threads that sleep instead of spin-waiting between parallel regions. Where other work
# shares the cores (a browser, the Streamlit server, other jobs), spinning threads lose their time
# slice at every barrier: `python -m bench.omp_policy` measured a full_ft run 1.6x slower with the
# default policy beside one CPU-bound process (3.6x beside two), while PASSIVE cost 1.05-1.34x on a quiet
# machine; no spin count (GOMP_SPINCOUNT) won both ways (README, "OpenMP wait policy"). Only
# effective before torch starts its thread pool (bertlab is imported first by the app and the CLI);
# an explicit setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"
