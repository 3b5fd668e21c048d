"""bertlab's benchmark: bertlab against its peers, measured side by side in one run.

Run ``python -m bench`` (full) or ``python -m bench --quick`` (a few minutes).
Every section times bertlab and the peer it replaces in the same process, on
the same split, model and hyperparameters, interleaving repeats so background
load hits both alike; the table printed last holds medians and their ratios,
and ``bench/results.json`` keeps every figure.
"""
