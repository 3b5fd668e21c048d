"""bertlab: compare ways of using a BERT-family encoder for text classification.

The library has no UI dependency; the Streamlit app in ``app.py``/``pages/``
and the CLI (``python -m bertlab``) are thin layers over it.
"""

import os

# OpenMP threads that sleep instead of spin-waiting between parallel regions. Where other work
# shares the cores (a browser, the Streamlit server, other jobs), spinning threads lose their time
# slice at every barrier: `python -m bench.omp_policy --hogs 2` measured a full_ft run 2.3x slower with
# the default policy beside two CPU-bound processes, while PASSIVE cost ~4% on a quiet machine. Only
# effective before torch starts its thread pool (bertlab is imported first by the app and the CLI);
# an explicit setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"
